import type { JWTPayload } from 'jose';
import type { AuthorizerConfig, CheckedAuthorizerConfig } from '../config/schema.js';
import type { ConfigProblem } from '../config/problems.js';
import type { JwsAlgorithm } from './algorithms.js';
import type { RemoteKeySet } from './remote-key-set.js';
import type { KeySetProbeOutcome } from './key-sets.js';

export type AuthorizerType = 'jwt' | 'auth0' | 'supabase' | 'oidc';

/** One line of `gatehouse token check`: a named check, its verdict and why. */
export interface TokenCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
}

/** The offline, check-by-check verdict on a token. Never contains the token itself. */
export interface TokenReport {
  ok: boolean;
  checks: TokenCheck[];
  /** The public error code a request with this token would get (absent when accepted). */
  code?: string;
  /** The most likely fix, when one is known. */
  hint?: string;
  /** The token's claims, decoded; verified only when `ok`. */
  claims?: JWTPayload;
}

/**
 * Why a token was refused: the `detail` of the GatewayError, for the request's log line and the
 * CLI only — never the client body (docs/AUTH.md "Explaining the failure"). Values are truncated and
 * never include the token.
 */
export interface AuthFailureDetail {
  /** Which check failed: authorization, format, header, alg, kid, key, signature, exp, nbf, iat, iss, aud, claims, scope. */
  check: string;
  expected?: unknown;
  actual?: unknown;
  message: string;
  hint?: string;
  authorizer?: string;
}

/** Per-call overrides for flows: an Auth0 ID token's audience is the client id, not the API. */
export interface VerifyTokenOptions {
  readonly audience?: string | readonly string[];
}

export interface Authorizer<C extends CheckedAuthorizerConfig = CheckedAuthorizerConfig> {
  /** 'default' for the top-level `authorizer`, else the key in `authorizers`. */
  readonly name: string;
  readonly type: AuthorizerType;
  readonly config: C;
  /**
   * Extracts and verifies the bearer token; resolves with the verified claims or rejects with a
   * GatewayError carrying the table code, a `detail` (which check failed, expected vs actual) and
   * the WWW-Authenticate header. Never rejects with anything else.
   */
  authenticate(headers: Pick<Headers, 'get'>): Promise<JWTPayload>;
  /** Same checks and errors for a token obtained elsewhere (Auth0 refresh and callback flows). */
  verifyToken(token: string, options?: VerifyTokenOptions): Promise<JWTPayload>;
  /** Offline check-by-check report for `gatehouse token check`. Never rejects. */
  explain(token: string): Promise<TokenReport>;
  /** Fetches remote key sets (and imports keys) now so the first request is not slow; never rejects. */
  prefetch(): Promise<void>;
  /** The remote key set (`jwks_uri`) requests depend on, if any (key-set fetch metrics). */
  readonly remoteKeySet?: RemoteKeySet | undefined;
  /**
   * Readiness of the remote key source requests depend on — a `jwks_uri`, or the key set found
   * through OpenID Connect discovery — if any: `/readyz` checks it.
   */
  readonly keySetProbe?: ((now: number) => Promise<KeySetProbeOutcome>) | undefined;
}

/** Where an authorizer's keys come from, as configured (validated by lint before use). */
export interface KeySpec {
  /** HMAC key text (`secret` / `jwt_secret`), used as its UTF-8 bytes. */
  readonly secret?: string;
  /** PEM SPKI public key, or a public JWK as JSON text. */
  readonly publicKey?: string;
  /** Inline key set: JSON text or an object `{keys: [...]}`. */
  readonly jwks?: unknown;
  /** Remote key set URL. */
  readonly jwksUri?: string;
  /** An issuer whose key set is found by OpenID Connect Discovery (src/oidc/discovery.ts). */
  readonly discoveryIssuer?: string;
}

/** What one authorizer type's config means for verification, derived once at compile time. */
export interface AuthorizerSettings {
  /** Exactly the algorithms accepted; a token's `alg` never adds to them. */
  readonly algorithms: readonly JwsAlgorithm[];
  readonly issuer?: string | readonly string[];
  readonly audience?: string | readonly string[];
  /** Seconds of leeway for exp / nbf / iat. */
  readonly clockTolerance: number;
  /** Claims that must be present (`exp` by default, RFC 8725 §3.10). */
  readonly requiredClaims: readonly string[];
  /** Seconds; when set, `iat` is required, not in the future and not older than this. */
  readonly maxTokenAge?: number;
  readonly keys: KeySpec;
}

/** One entry of the `authorizer.type → kind` registry: adding a type is a file and a line. */
export interface AuthorizerKind<C extends CheckedAuthorizerConfig = CheckedAuthorizerConfig> {
  readonly type: AuthorizerType;
  /**
   * The checked member of the union, when `def` is of this type and has the fields the type
   * requires (the lint rules report each one that is missing): the one narrowing point.
   */
  accepts(def: AuthorizerConfig): def is C;
  /** Config keys (besides `type`) this type understands; any other key is a config error. */
  readonly fields: readonly string[];
  /** Type-specific semantic rules; pointer is the authorizer object's JSON pointer. */
  lint(def: AuthorizerConfig, pointer: string, env: { readonly strict: boolean }): ConfigProblem[];
  /** Normalizes a linted config into verification settings. */
  settings(def: C): AuthorizerSettings;
}
