import { base64url } from 'jose';

/**
 * The login transaction cookie (docs/FLOWS.md "State and PKCE"): `auth0_callback_redirect`
 * stores the `state` it sent and the PKCE code verifier in one short-lived cookie; `auth0_callback`
 * accepts the provider's redirect only if its `state` matches that cookie (CSRF protection,
 * RFC 6749 §10.12) and redeems the code with the verifier (RFC 7636). The value is
 * `base64url(JSON).base64url(HMAC-SHA256)`, keyed with HKDF from the client secret, so nobody
 * without the secret can mint or alter one, and it carries its own expiry.
 *
 * Signed, not encrypted: the verifier is only worth something to whoever also holds the code,
 * and both are the browser's own. Attributes: HttpOnly, SameSite=Lax (the provider's redirect
 * back is a top-level GET, which Lax cookies accompany), Path=/, Secure when served over https.
 */
export interface LoginTransaction {
  readonly state: string;
  readonly verifier: string;
}

export interface TransactionCookieOptions {
  /** Cookie name (see `transactionCookieName`). */
  readonly name: string;
  /** The client secret the signing key is derived from. */
  readonly secret: string;
  /** Binds the key to one tenant and client: `issuer|client_id`. */
  readonly context: string;
  readonly maxAgeSeconds: number;
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface TransactionCookies {
  readonly name: string;
  /** The `Set-Cookie` value that starts a login. */
  issue(transaction: LoginTransaction, secure: boolean): Promise<string>;
  /** The valid, unexpired transactions in a `Cookie` header (normally zero or one). */
  read(cookieHeader: string | null): Promise<LoginTransaction[]>;
  /** The `Set-Cookie` value that removes the cookie. */
  clear(secure: boolean): string;
}

/** Ten minutes: enough to sign in (or sign up) at the provider, short enough to bound replay. */
export const TRANSACTION_MAX_AGE_SECONDS = 600;

const MAX_CANDIDATES = 4;
const encoder = new TextEncoder();
const KEY_SALT = encoder.encode('gatehouse auth0 login transaction v1');

/** `gatehouse_auth0` for the top-level authorizer, `gatehouse_auth0_NAME` for a named one. */
export function transactionCookieName(authorizerName: string): string {
  if (authorizerName === 'default') return 'gatehouse_auth0';
  return `gatehouse_auth0_${authorizerName.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export function createTransactionCookies(options: TransactionCookieOptions): TransactionCookies {
  let key: Promise<CryptoKey> | undefined;
  // Derived on first use, once per config; a failed derivation is retried next time.
  const signingKey = (): Promise<CryptoKey> =>
    (key ??= deriveKey(options.secret, options.context).catch((error: unknown) => {
      key = undefined;
      throw error;
    }));
  const attributes = (maxAge: number, secure: boolean) =>
    `; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;

  return {
    name: options.name,
    async issue(transaction, secure) {
      const expires = Math.floor(options.now() / 1000) + options.maxAgeSeconds;
      const payload = base64url.encode(
        JSON.stringify({ s: transaction.state, v: transaction.verifier, e: expires }),
      );
      const signature = await crypto.subtle.sign('HMAC', await signingKey(), encoder.encode(payload));
      const value = `${payload}.${base64url.encode(new Uint8Array(signature))}`;
      return `${options.name}=${value}${attributes(options.maxAgeSeconds, secure)}`;
    },
    async read(cookieHeader) {
      const found: LoginTransaction[] = [];
      // A few candidates at most: each costs an HMAC, and the header is the client's to fill.
      for (const value of cookieValues(cookieHeader, options.name).slice(0, MAX_CANDIDATES)) {
        const transaction = await open(value, await signingKey(), options.now());
        if (transaction) found.push(transaction);
      }
      return found;
    },
    clear: (secure) => `${options.name}=${attributes(0, secure)}`,
  };
}

async function deriveKey(secret: string, context: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: KEY_SALT, info: encoder.encode(context) },
    material,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  );
}

/** Verifies (constant time, WebCrypto) before parsing anything; undefined for any defect. */
async function open(value: string, key: CryptoKey, now: number): Promise<LoginTransaction | undefined> {
  const [payload, signature, extra] = value.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  let signatureBytes: Uint8Array<ArrayBuffer>;
  let claims: unknown;
  try {
    signatureBytes = new Uint8Array(base64url.decode(signature));
    if (!(await crypto.subtle.verify('HMAC', key, signatureBytes, encoder.encode(payload)))) return undefined;
    claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null) return undefined;
  const { s, v, e } = claims as Record<string, unknown>;
  if (typeof s !== 'string' || typeof v !== 'string' || typeof e !== 'number') return undefined;
  if (e * 1000 <= now) return undefined;
  return { state: s, verifier: v };
}

/** Every value of cookie `name` in a `Cookie` header (RFC 6265 §5.4; duplicates are possible). */
export function cookieValues(header: string | null, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (value) values.push(value);
  }
  return values;
}
