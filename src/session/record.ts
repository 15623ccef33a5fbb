import type { JWTPayload } from 'jose';
import type { TokenEndpointResponse } from 'oauth4webapi';

/**
 * What a browser session holds (inside the sealed cookie, docs/FLOWS.md "Browser sessions"):
 * the provider's tokens, when the access token expires, and the identity claims routes see as
 * the request's claims. Short field names: every byte is carried by every request.
 */
export interface SessionRecord {
  /** Access token. */
  readonly at: string;
  /** Refresh token, when the provider issued one. */
  readonly rt?: string;
  /** ID token, kept for the logout's `id_token_hint`. */
  readonly it?: string;
  /** Granted scope. */
  readonly sc?: string;
  /** Access token expiry, ms since the epoch. */
  readonly ate: number;
  /** When the access token was obtained, ms (its lifetime is `ate - ati`). */
  readonly ati?: number;
  /** Created, ms (the absolute lifetime counts from here). */
  readonly ct: number;
  /** Last active, ms (the idle lifetime counts from here). */
  readonly la: number;
  /** Identity claims of the ID token (sub, name, email, …), the route's `claims`. */
  readonly cl: Readonly<Record<string, unknown>>;
  /** With a server-side store: the id the cookie carries (never stored in the record itself). */
  readonly sid?: string;
}

/** When the provider does not say how long an access token lives, assume it is short. */
const DEFAULT_ACCESS_TOKEN_LIFETIME_S = 300;
/** Identity claims copied into the session; protocol claims (aud, nonce, at_hash …) are not. */
const IDENTITY_CLAIMS = [
  'sub',
  'name',
  'email',
  'email_verified',
  'preferred_username',
  'given_name',
  'family_name',
  'picture',
  'locale',
  'org_id',
  'sid',
];

export function sessionFromTokens(
  tokens: TokenEndpointResponse,
  idClaims: JWTPayload | undefined,
  now: number,
  previous?: SessionRecord,
): SessionRecord {
  const claims: Record<string, unknown> = previous ? { ...previous.cl } : {};
  if (idClaims)
    for (const name of IDENTITY_CLAIMS) if (idClaims[name] !== undefined) claims[name] = idClaims[name];
  const lifetime =
    typeof tokens.expires_in === 'number' && tokens.expires_in > 0
      ? tokens.expires_in
      : DEFAULT_ACCESS_TOKEN_LIFETIME_S;
  const rt = tokens.refresh_token ?? previous?.rt;
  const it = tokens.id_token ?? previous?.it;
  const sc = tokens.scope ?? previous?.sc;
  return {
    at: tokens.access_token,
    ...(rt === undefined ? {} : { rt }),
    ...(it === undefined ? {} : { it }),
    ...(sc === undefined ? {} : { sc }),
    ate: now + lifetime * 1000,
    ati: now,
    ct: previous?.ct ?? now,
    la: now,
    cl: claims,
    ...(previous?.sid === undefined ? {} : { sid: previous.sid }),
  };
}

/** A record read back from a cookie, or undefined when a field is missing or of the wrong type. */
export function asSessionRecord(value: Record<string, unknown> | undefined): SessionRecord | undefined {
  if (!value) return undefined;
  const { at, rt, it, sc, ate, ati, ct, la, cl } = value;
  if (ati !== undefined && typeof ati !== 'number') return undefined;
  if (typeof at !== 'string' || typeof ate !== 'number' || typeof ct !== 'number' || typeof la !== 'number')
    return undefined;
  if (typeof cl !== 'object' || cl === null || Array.isArray(cl)) return undefined;
  if (
    (rt !== undefined && typeof rt !== 'string') ||
    (it !== undefined && typeof it !== 'string') ||
    (sc !== undefined && typeof sc !== 'string')
  )
    return undefined;
  return value as unknown as SessionRecord;
}

/** The claims a session-authorized request carries: the identity claims plus the granted scope. */
export function sessionClaims(record: SessionRecord): JWTPayload {
  return Object.freeze({
    ...record.cl,
    ...(record.sc === undefined ? {} : { scope: record.sc }),
  }) as JWTPayload;
}
