import {
  errors,
  jwtVerify,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyOptions,
} from 'jose';
import { GatewayError } from '../errors/gateway-error.js';
import type { Platform } from '../platform.js';
import { isHmacAlgorithm } from './algorithms.js';
import { VerificationCache } from './cache.js';
import { authErrorCode, authFailure } from './errors.js';
import { describeFailure } from './explain.js';
import { cleanText } from './format.js';
import { checkProtectedHeader, readProtectedHeader } from './jws-header.js';
import {
  createInlineKeySource,
  createPublicKeySource,
  createSecretKeySource,
  KeyConfigError,
  type KeySource,
  type KeySourceInfo,
} from './key-sets.js';
import { createDiscoveredKeySource } from '../oidc/discovered-key-source.js';
import { getRemoteKeySet, RemoteKeySet, type RemoteKeySetOptions } from './remote-key-set.js';
import type { VerificationCacheOptions } from './cache.js';
import type { AuthFailureDetail, AuthorizerSettings } from './types.js';

export type AuthPlatform = Pick<Platform, 'fetch' | 'now' | 'logger' | 'telemetry'>;

/**
 * The verification core shared by every authorizer type: header checks, the verification cache,
 * jose with exactly the configured algorithms, and the translation of every failure into a table
 * row with an explanation. Built once per authorizer; per request it only verifies.
 */
export interface Verifier {
  readonly name: string;
  readonly settings: AuthorizerSettings;
  /** `token` must already have passed the compact-format check. Rejects only with GatewayError. */
  verify(
    token: string,
    now: number,
    audience?: string | readonly string[],
    useCache?: boolean,
  ): Promise<JWTPayload>;
  /** The claims of a token verified before and still inside its validity window. */
  cached(token: string, now: number): JWTPayload | undefined;
  keyInfo(alg: unknown, now: number): KeySourceInfo | undefined;
  prefetch(): Promise<void>;
  /** The remote key set (`jwks_uri`) this verifier depends on, if any (metrics). */
  readonly remoteKeySet: RemoteKeySet | undefined;
  /** Readiness of a remote key source (`jwks_uri` or OpenID Connect discovery), if any. */
  readonly keySetProbe: KeySource['probe'];
}

export interface VerifierOptions {
  readonly remoteKeySet: RemoteKeySetOptions;
  /** false: no verification cache. */
  readonly cache: VerificationCacheOptions | false;
}

export function createVerifier(
  name: string,
  settings: AuthorizerSettings,
  platform: AuthPlatform,
  options: VerifierOptions,
): Verifier {
  const report = (reason: string) =>
    platform.logger.error('authorizer key unusable', { authorizer: name, reason });
  const { keys } = settings;
  const secretSource: KeySource | undefined =
    keys.secret === undefined ? undefined : createSecretKeySource(keys.secret, settings.algorithms, report);
  const publicSource: KeySource | undefined =
    keys.publicKey !== undefined
      ? createPublicKeySource(keys.publicKey, settings.algorithms, report)
      : keys.jwks !== undefined
        ? createInlineKeySource(keys.jwks)
        : keys.jwksUri !== undefined
          ? getRemoteKeySet(keys.jwksUri, options.remoteKeySet, platform.fetch)
          : keys.discoveryIssuer !== undefined
            ? createDiscoveredKeySource(keys.discoveryIssuer, options.remoteKeySet, platform.fetch)
            : undefined;
  const remoteKeySet = publicSource instanceof RemoteKeySet ? publicSource : undefined;
  const keySetFetches = platform.telemetry?.keySetFetches;
  // Configured (`jwks_uri`) and discovered key sets alike (docs/OBSERVABILITY.md "Metrics").
  if (keySetFetches) {
    publicSource?.observeFetches?.(name, (outcome, url) =>
      keySetFetches.publish({ authorizer: name, url, outcome }),
    );
  }
  const cache = options.cache === false ? undefined : new VerificationCache(options.cache);

  const sourceFor = (alg: unknown) =>
    typeof alg === 'string' && isHmacAlgorithm(alg) ? secretSource : publicSource;

  // The parts of jose's options that never change; only the clock (and a flow's audience) vary.
  const fixed: JWTVerifyOptions = {
    algorithms: [...settings.algorithms],
    clockTolerance: settings.clockTolerance,
    requiredClaims: [...settings.requiredClaims],
    ...(settings.issuer === undefined ? {} : { issuer: copy(settings.issuer) }),
    ...(settings.maxTokenAge === undefined ? {} : { maxTokenAge: settings.maxTokenAge }),
  };

  const resolveKey = (
    header: JWSHeaderParameters,
    input: FlattenedJWSInput,
    now: number,
  ): Promise<CryptoKey> => {
    const source = sourceFor(header.alg);
    if (!source) return Promise.reject(new KeyConfigError(`no key configured for alg ${String(header.alg)}`));
    return source.resolve(header, input, now);
  };

  async function joseVerify(token: string, now: number, audience: string | readonly string[] | undefined) {
    const joseOptions: JWTVerifyOptions = {
      ...fixed,
      currentDate: new Date(now),
      ...(audience === undefined ? {} : { audience: copy(audience) }),
    };
    try {
      const { payload } = await jwtVerify(
        token,
        (header, input) => resolveKey(header, input, now),
        joseOptions,
      );
      return payload;
    } catch (error) {
      if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
      // No kid and several keys fit: try each (jose yields them); refuse only if none verifies.
      for await (const key of error) {
        try {
          return (await jwtVerify(token, key, joseOptions)).payload;
        } catch (attempt) {
          if (!(attempt instanceof errors.JWSSignatureVerificationFailed)) throw attempt;
        }
      }
      throw error;
    }
  }

  const keyInfo = (alg: unknown, now: number) => sourceFor(alg)?.info(now);

  function toGatewayError(
    error: unknown,
    header: JWSHeaderParameters | undefined,
    now: number,
    audience: string | readonly string[] | undefined,
  ): GatewayError {
    if (error instanceof GatewayError) {
      return new GatewayError(error.code, {
        detail: { ...error.detail, authorizer: name },
        ...(error.headers ? { headers: { ...error.headers } } : {}),
      });
    }
    const code = authErrorCode(error);
    let detail: AuthFailureDetail;
    try {
      detail = describeFailure(error, code, {
        settings,
        now,
        audience,
        header: header ?? {},
        keyInfo: (alg) => keyInfo(alg, now),
      });
    } catch {
      // Explaining must never turn a refusal into a 500.
      detail = {
        check: 'unknown',
        message: cleanText(error instanceof Error ? error.message : String(error)),
      };
    }
    return authFailure(code, { ...detail, authorizer: name });
  }

  return {
    name,
    settings,
    keyInfo,
    remoteKeySet,
    keySetProbe: publicSource?.probe
      ? (now) => (publicSource.probe as NonNullable<KeySource['probe']>)(now)
      : undefined,
    cached: (token, now) => cache?.get(token, now),
    async verify(token, now, audienceOverride, useCache = true) {
      const cacheable = cache !== undefined && useCache && audienceOverride === undefined;
      if (cacheable) {
        const hit = cache.get(token, now);
        if (hit) return hit;
      }
      const audience = audienceOverride ?? settings.audience;
      let header: JWSHeaderParameters | undefined;
      try {
        header = readProtectedHeader(token);
        checkProtectedHeader(header, settings.algorithms);
        const claims = deepFreeze(await joseVerify(token, now, audience));
        if (cacheable) cache.set(token, claims, now, settings);
        return claims;
      } catch (error) {
        throw toGatewayError(error, header, now, audience);
      }
    },
    async prefetch() {
      const now = platform.now();
      await Promise.all(
        [secretSource, publicSource].map(async (source) => {
          try {
            await source?.prefetch(now);
          } catch (error) {
            // Key import problems were already reported when the import started.
            if (error instanceof KeyConfigError) return;
            platform.logger.warn('authorizer key set prefetch failed', {
              authorizer: name,
              reason: cleanText(error instanceof Error ? error.message : String(error)),
            });
          }
        }),
      );
    },
  };
}

function copy(value: string | readonly string[]): string | string[] {
  return typeof value === 'string' ? value : [...value];
}

/**
 * Verified claims are shared by every request that presents the same token (the cache hands
 * out one object), so they are made immutable: a hook or mapping cannot alter what the next
 * request sees.
 */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
