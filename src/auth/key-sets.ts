import {
  createLocalJWKSet,
  importJWK,
  importSPKI,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
} from 'jose';
import {
  HMAC_HASH,
  isAsymmetricAlgorithm,
  isHmacAlgorithm,
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
  type JwsAlgorithm,
} from './algorithms.js';

/**
 * Where verification keys come from. Every source is built once, when the config is compiled:
 * secrets and PEM/JWK public keys are imported into CryptoKeys right away (one per configured
 * algorithm), inline key sets are parsed once, remote ones are shared per URL (remote-key-set.ts).
 * Requests only look keys up.
 */
export interface KeySource {
  info(now: number): KeySourceInfo;
  /** The key for a header whose `alg` the authorizer already allows. Rejects with jose errors, KeyConfigError or KeySetUnavailableError. */
  resolve(header: JWSHeaderParameters, token: FlattenedJWSInput, now: number): Promise<CryptoKey>;
  /** Imports or fetches now; rejects when that fails (callers log, never crash). */
  prefetch(now: number): Promise<void>;
  /**
   * Remote sources only (`jwks_uri`, OpenID Connect discovery): whether requests can be verified
   * now, for readiness (docs/OBSERVABILITY.md "/readyz"). A source that is not ready is fetched
   * again within its own retry policy; a ready one is not polled.
   */
  probe?(now: number): Promise<KeySetProbeOutcome>;
  /**
   * Remote sources only: calls `listener` after every key set fetch with its outcome and the key
   * set's URL (the `gatehouse_key_set_fetches_total` metric); one listener per `name`, so a
   * reload replaces, never adds.
   */
  observeFetches?(name: string, listener: KeySetFetchListener): void;
}

export type KeySetFetchListener = (outcome: 'ok' | 'error', url: string) => void;

export interface KeySetProbeOutcome {
  readonly ready: boolean;
  /** What was checked (the URL), or why it is not ready. */
  readonly detail: string;
}

/** Facts about a key source for explanations ("kid abc not among the 2 keys fetched 41 s ago from …"). */
export interface KeySourceInfo {
  readonly kind: 'secret' | 'public_key' | 'jwks' | 'jwks_uri';
  readonly url?: string;
  /** Key ids in the set, in order (`undefined` for keys without a kid). */
  readonly kids?: readonly (string | undefined)[];
  /** Milliseconds since the epoch of the last successful fetch (remote sets). */
  readonly fetchedAt?: number;
  /** Why the last fetch failed, if it did. */
  readonly lastError?: string;
}

/**
 * A configured key that cannot serve an algorithm the authorizer allows (an EC key with RS256,
 * a JWK whose `alg` differs). A configuration fault lint could not see without WebCrypto; it
 * refuses the request as "JWT verification failed" (a token must never cause a 500) and is
 * logged once at compile time.
 */
export class KeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyConfigError';
  }
}

export type KeyErrorReporter = (message: string) => void;

/** Imports `secret` once per configured HMAC algorithm (jose would re-import raw bytes on every call). */
export function createSecretKeySource(
  secret: string,
  algorithms: readonly JwsAlgorithm[],
  report: KeyErrorReporter,
): KeySource {
  const bytes = new TextEncoder().encode(secret);
  const keys = new Map<string, Promise<CryptoKey>>();
  for (const alg of algorithms.filter(isHmacAlgorithm)) {
    keys.set(
      alg,
      eager(
        crypto.subtle.importKey(
          'raw',
          bytes,
          { name: 'HMAC', hash: HMAC_HASH[alg as HmacAlgorithm] },
          false,
          ['verify'],
        ),
        `secret cannot be used for ${alg}`,
        report,
      ),
    );
  }
  return {
    info: () => ({ kind: 'secret' }),
    resolve: (header) => lookup(keys, header, 'secret'),
    prefetch: async () => {
      await Promise.all(keys.values());
    },
  };
}

/** A PEM SPKI public key (or one public JWK as JSON text), imported once per configured algorithm. */
export function createPublicKeySource(
  text: string,
  algorithms: readonly JwsAlgorithm[],
  report: KeyErrorReporter,
): KeySource {
  const trimmed = text.trim();
  const keys = new Map<string, Promise<CryptoKey>>();
  for (const alg of algorithms.filter(isAsymmetricAlgorithm)) {
    keys.set(alg, eager(importPublicKey(trimmed, alg), `public_key cannot be used for ${alg}`, report));
  }
  return {
    info: () => ({ kind: 'public_key' }),
    resolve: (header) => lookup(keys, header, 'public_key'),
    prefetch: async () => {
      await Promise.all(keys.values());
    },
  };
}

async function importPublicKey(text: string, alg: AsymmetricAlgorithm): Promise<CryptoKey> {
  if (text.startsWith('-----BEGIN PUBLIC KEY-----')) return importSPKI(text, alg);
  const jwk = JSON.parse(text) as JWK;
  if (jwk.alg !== undefined && jwk.alg !== alg) throw new Error(`the JWK is for ${jwk.alg}`);
  if ('d' in jwk) throw new Error('it is a private key');
  const key = await importJWK(jwk, alg);
  if (key instanceof Uint8Array) throw new Error('it is a symmetric key');
  return key;
}

/** An inline key set (`jwks`), parsed once; jose imports each member lazily and caches it. */
export function createInlineKeySource(jwks: unknown): KeySource {
  const set = (typeof jwks === 'string' ? JSON.parse(jwks) : jwks) as JSONWebKeySet;
  const local = createLocalJWKSet(set);
  const kids = set.keys.map((key) => (typeof key.kid === 'string' ? key.kid : undefined));
  return {
    info: () => ({ kind: 'jwks', kids }),
    resolve: (header, token) => local(header, token),
    prefetch: async () => undefined,
  };
}

function lookup(keys: ReadonlyMap<string, Promise<CryptoKey>>, header: JWSHeaderParameters, what: string) {
  const key = typeof header.alg === 'string' ? keys.get(header.alg) : undefined;
  if (!key) return Promise.reject(new KeyConfigError(`no ${what} for alg ${String(header.alg)}`));
  return key;
}

/**
 * Starts an import now and marks it handled, so a bad key is reported once at compile time
 * instead of becoming an unhandled rejection; requests awaiting it still see the failure.
 */
function eager(promise: Promise<CryptoKey>, what: string, report: KeyErrorReporter): Promise<CryptoKey> {
  const wrapped = promise.catch((error: unknown) => {
    throw new KeyConfigError(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  });
  wrapped.catch((error: unknown) => report(error instanceof Error ? error.message : String(error)));
  return wrapped;
}
