import type { SealedCookies } from '../../session/sealed-cookie.js';

/**
 * The login transaction (docs/FLOWS.md "State and PKCE"): what the login route hands to its
 * callback through the browser — the `state` it sent, the PKCE verifier, the `nonce` and the
 * return URL — kept in a short-lived cookie only this gateway can write. The callback accepts
 * the provider's redirect only if its `state` matches (RFC 6749 §10.12) and redeems the code with
 * the verifier (RFC 7636). Each preset keeps its cookie format: the `oidc` type seals a JWE
 * (`gatehouse_oidc_tx`), the `auth0` preset signs `gatehouse_auth0` (auth0/transaction-cookie.ts).
 */
export interface LoginTransaction {
  readonly state: string;
  readonly verifier: string;
  /** OpenID Connect `nonce` (the `oidc` type sends one; the `auth0` preset does not). */
  readonly nonce?: string;
  /** Where the browser goes after the callback (session logins only). */
  readonly returnTo?: string;
}

export interface LoginTransactions {
  /** The `Set-Cookie` lines that start a login. */
  issue(
    transaction: LoginTransaction,
    now: number,
    secure: boolean,
    cookieHeader: string | null,
  ): Promise<string[]>;
  /**
   * The transaction whose state equals `state` (compared in constant time), or why there is
   * none; `state` undefined when the callback did not carry exactly one.
   */
  match(cookieHeader: string | null, state: string | undefined, now: number): Promise<TransactionMatch>;
  /** The `Set-Cookie` lines that remove the transaction. */
  clear(cookieHeader: string | null, secure: boolean): string[];
}

export type TransactionMatch =
  | { readonly ok: true; readonly transaction: LoginTransaction }
  | { readonly ok: false; readonly reason: string };

/** A login has this long between the redirect and the callback. */
export const TRANSACTION_MAX_AGE_MS = 10 * 60_000;

/** The `oidc` type's transactions: one sealed (JWE) cookie. */
export function sealedTransactions(cookies: SealedCookies): LoginTransactions {
  return {
    issue: (transaction, now, secure, cookieHeader) =>
      cookies.seal({ ...transaction }, now + TRANSACTION_MAX_AGE_MS, now, secure, cookieHeader),
    async match(cookieHeader, state, now) {
      const transaction = asTransaction(await cookies.open(cookieHeader, now));
      return matchState(transaction ? [transaction] : [], state);
    },
    clear: (cookieHeader, secure) => cookies.clear(cookieHeader, secure),
  };
}

/** The candidate whose state equals the callback's, or why none does. */
export function matchState(
  candidates: readonly LoginTransaction[],
  state: string | undefined,
): TransactionMatch {
  const match = state === undefined ? undefined : candidates.find((t) => equalText(t.state, state));
  if (match) return { ok: true, transaction: match };
  return {
    ok: false,
    reason:
      state === undefined
        ? 'not exactly one state parameter'
        : candidates.length === 0
          ? 'no valid transaction cookie (missing, altered or expired)'
          : 'state does not match the transaction cookie',
  };
}

function asTransaction(value: Record<string, unknown> | undefined): LoginTransaction | undefined {
  if (!value) return undefined;
  const { state, nonce, verifier, returnTo } = value;
  if (typeof state !== 'string' || typeof nonce !== 'string' || typeof verifier !== 'string')
    return undefined;
  if (returnTo !== undefined && typeof returnTo !== 'string') return undefined;
  return { state, nonce, verifier, ...(returnTo === undefined ? {} : { returnTo }) };
}

/** Constant-time comparison, so the cookie's state cannot be guessed a character at a time. */
export function equalText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
