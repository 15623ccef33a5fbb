import { CompactEncrypt, compactDecrypt } from 'jose';

/**
 * A cookie whose value is a JWE (RFC 7516, `dir` + `A256GCM`): encrypted and integrity-protected
 * with a key derived by HKDF-SHA-256 from a configured secret and a context string, so only this
 * gateway configuration can read or mint one (docs/FLOWS.md "Browser sessions"). The payload
 * carries its own expiry, so a browser that keeps a cookie past Max-Age gains nothing.
 *
 * Browsers keep about 4 KB per cookie: a value longer than CHUNK_LENGTH is split into
 * `name.0`, `name.1`, … and joined again on read; writing clears chunks a previous, longer value
 * left behind. Attributes: HttpOnly, SameSite=Lax, Path=/, Secure on https (always for
 * `__Host-`/`__Secure-` names).
 */
export const CHUNK_LENGTH = 3800;
/** A session never spans more cookies than this (a ~38 KB token set is already absurd). */
const MAX_CHUNKS = 10;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface SealedCookieOptions {
  readonly name: string;
  readonly secret: string;
  /** Binds the key to one issuer, client and purpose. */
  readonly context: string;
}

export interface SealedCookies {
  readonly name: string;
  /** `Set-Cookie` lines that store `payload` until `expiresAtMs`, clearing leftover chunks. */
  seal(
    payload: Record<string, unknown>,
    expiresAtMs: number,
    now: number,
    secure: boolean,
    cookieHeader: string | null,
  ): Promise<string[]>;
  /** The payload, or undefined when missing, altered, expired or sealed with another key. */
  open(cookieHeader: string | null, now: number): Promise<Record<string, unknown> | undefined>;
  /** `Set-Cookie` lines removing every chunk the request carried (and the unsplit name). */
  clear(cookieHeader: string | null, secure: boolean): string[];
  /** The names of this cookie's parts present in a `Cookie` header. */
  present(cookieHeader: string | null): string[];
}

export function createSealedCookies(options: SealedCookieOptions): SealedCookies {
  const { name } = options;
  let key: Promise<Uint8Array> | undefined;
  const secretKey = () =>
    (key ??= deriveKey(options.secret, options.context).catch((error: unknown) => {
      key = undefined;
      throw error;
    }));
  const forceSecure = name.startsWith('__Host-') || name.startsWith('__Secure-');
  const attributes = (maxAge: number, secure: boolean) =>
    `; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure || forceSecure ? '; Secure' : ''}`;
  const chunkName = (i: number) => `${name}.${i}`;

  const present = (header: string | null) => {
    const names = new Set(cookiePairs(header).map(([n]) => n));
    const found = names.has(name) ? [name] : [];
    for (let i = 0; i < MAX_CHUNKS && names.has(chunkName(i)); i++) found.push(chunkName(i));
    return found;
  };

  return {
    name,
    present,
    async seal(payload, expiresAtMs, now, secure, cookieHeader) {
      const plaintext = encoder.encode(JSON.stringify({ ...payload, __exp: expiresAtMs }));
      const value = await new CompactEncrypt(plaintext)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .encrypt(await secretKey());
      const maxAge = Math.max(1, Math.floor((expiresAtMs - now) / 1000));
      const lines: string[] = [];
      const written = new Set<string>();
      if (value.length <= CHUNK_LENGTH) {
        lines.push(`${name}=${value}${attributes(maxAge, secure)}`);
        written.add(name);
      } else {
        const count = Math.ceil(value.length / CHUNK_LENGTH);
        if (count > MAX_CHUNKS)
          throw new Error(`session of ${value.length} characters exceeds ${MAX_CHUNKS} cookies`);
        for (let i = 0; i < count; i++) {
          lines.push(
            `${chunkName(i)}=${value.slice(i * CHUNK_LENGTH, (i + 1) * CHUNK_LENGTH)}${attributes(maxAge, secure)}`,
          );
          written.add(chunkName(i));
        }
      }
      for (const stale of present(cookieHeader)) {
        if (!written.has(stale)) lines.push(`${stale}=${attributes(0, secure)}`);
      }
      return lines;
    },
    async open(cookieHeader, now) {
      const pairs = new Map(cookiePairs(cookieHeader));
      let value = pairs.get(name);
      if (value === undefined) {
        const parts: string[] = [];
        for (let i = 0; i < MAX_CHUNKS; i++) {
          const part = pairs.get(chunkName(i));
          if (part === undefined) break;
          parts.push(part);
        }
        if (parts.length > 0) value = parts.join('');
      }
      if (!value || value.length > CHUNK_LENGTH * MAX_CHUNKS) return undefined;
      try {
        const { plaintext, protectedHeader } = await compactDecrypt(value, await secretKey(), {
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
        });
        if (protectedHeader.zip !== undefined) return undefined;
        const payload: unknown = JSON.parse(decoder.decode(plaintext));
        if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
        const { __exp, ...rest } = payload as Record<string, unknown>;
        if (typeof __exp !== 'number' || __exp <= now) return undefined;
        return rest;
      } catch {
        return undefined;
      }
    },
    clear(cookieHeader, secure) {
      const names = new Set([name, ...present(cookieHeader)]);
      return [...names].map((n) => `${n}=${attributes(0, secure)}`);
    },
  };
}

async function deriveKey(secret: string, context: string): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: encoder.encode('gatehouse sealed cookie v1'),
      info: encoder.encode(context),
    },
    material,
    256,
  );
  return new Uint8Array(bits);
}

/** `[name, value]` of every cookie in a `Cookie` header (RFC 6265 §5.4), quotes removed. */
export function cookiePairs(header: string | null): [string, string][] {
  if (!header) return [];
  const pairs: [string, string][] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    pairs.push([part.slice(0, eq).trim(), value]);
  }
  return pairs;
}
