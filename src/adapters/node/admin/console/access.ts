import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { ConfigInvalidError } from '../../../../config/problems.js';

/**
 * Who may use the web console (docs/CONSOLE.md "Security model"). On a loopback address the
 * console is open to the local machine unless a token is configured; on any other address a
 * token is required and the gateway refuses to start without one. With a token, every console
 * request carries it as `Authorization: Bearer …` or holds the HttpOnly session cookie the login
 * form sets. The cookie holds an HMAC of the token, not the token.
 */
export const SESSION_COOKIE = 'gatehouse_console';

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (bare.startsWith('::ffff:')) return bare.slice(7).startsWith('127.');
  return false;
}

/** Throws (as a config problem) when the console would be reachable off loopback without a token. */
export function assertConsoleAccess(host: string, token: string | undefined): void {
  if (token !== undefined || isLoopbackHost(host)) return;
  throw new ConfigInvalidError([
    {
      pointer: '/gateway/admin/token',
      severity: 'error',
      message:
        `the admin listener binds ${host}, which is not loopback, and its web console would be open to anyone ` +
        'who reaches it: set gateway.admin.token (16+ characters, e.g. "$env.GATEHOUSE_ADMIN_TOKEN"), ' +
        'bind 127.0.0.1, or turn the console off with gateway.admin.console: false',
    },
  ]);
}

export class ConsoleAccess {
  /** A digest of the token: candidates are compared digest to digest, same length, constant time. */
  readonly #token: Buffer | undefined;
  readonly #session: string | undefined;

  constructor(token: string | undefined) {
    this.#token = token === undefined ? undefined : digest(token);
    this.#session =
      token === undefined
        ? undefined
        : createHmac('sha256', token).update('gatehouse console session v1').digest('base64url');
  }

  get required(): boolean {
    return this.#token !== undefined;
  }

  /** True when the request may use the console: no token configured, or a valid bearer/cookie. */
  allows(request: Request): boolean {
    if (this.#token === undefined) return true;
    const authorization = request.headers.get('authorization');
    const bearer = authorization?.match(/^bearer\s+(\S+)\s*$/i)?.[1];
    if (bearer !== undefined) return this.matchesToken(bearer);
    const cookie = readCookie(request.headers.get('cookie'), SESSION_COOKIE);
    return cookie !== undefined && equal(Buffer.from(cookie), Buffer.from(this.#session as string));
  }

  matchesToken(candidate: string): boolean {
    return this.#token !== undefined && equal(digest(candidate), this.#token);
  }

  /** The Set-Cookie of a successful login: HttpOnly, SameSite=Strict, scoped to the listener. */
  sessionCookie(): string {
    return `${SESSION_COOKIE}=${this.#session ?? ''}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200`;
  }

  static clearedCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
