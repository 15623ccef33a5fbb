import type { AuthorizerConfig } from '../config/schema.js';
import { ConfigInvalidError } from '../config/problems.js';
import { createAuthorizer } from './authorizer.js';
import { DEFAULT_VERIFICATION_CACHE_OPTIONS, type VerificationCacheOptions } from './cache.js';
import { AUTHORIZER_KINDS } from './authorizer-types.js';
import { checkAuthorizers, type AuthorizerPlan } from './lint.js';
import { DEFAULT_REMOTE_KEY_SET_OPTIONS, type RemoteKeySetOptions } from './remote-key-set.js';
import type { Authorizer } from './types.js';
import type { AuthPlatform, VerifierOptions } from './verifier.js';

export { AUTHORIZER_KINDS };

/** Tuning that is not part of the config file (tests shorten timeouts; benchmarks may size the cache). */
export interface AuthorizerOptions {
  readonly remoteKeySet?: Partial<RemoteKeySetOptions>;
  /** false disables the verification cache. */
  readonly cache?: Partial<VerificationCacheOptions> | false;
}

/**
 * Builds the authorizers the config checks accepted (assembly/check-config.ts), once, at compile
 * time: no check runs again here. `default` is the top-level `authorizer` (what `auth: true`
 * means), each of `authorizers` is under its own name.
 */
export function buildAuthorizers(
  plans: ReadonlyMap<string, AuthorizerPlan>,
  platform: AuthPlatform,
  options: AuthorizerOptions = {},
): Map<string, Authorizer> {
  const verifierOptions: VerifierOptions = {
    remoteKeySet: { ...DEFAULT_REMOTE_KEY_SET_OPTIONS, ...options.remoteKeySet },
    cache: options.cache === false ? false : { ...DEFAULT_VERIFICATION_CACHE_OPTIONS, ...options.cache },
  };
  const authorizers = new Map<string, Authorizer>();
  for (const [name, plan] of plans)
    authorizers.set(name, createAuthorizer(name, plan.kind, plan.config, platform, verifierOptions));
  return authorizers;
}

/**
 * Checks and builds the authorizers of a bare `{authorizer, authorizers}` object in one pass
 * (the CLI's `token` on a key file, tests): refused with every problem when one is an error (fail
 * closed, docs/COMPAT.md row 4). Without the routes, an empty inline key set is allowed: it fails
 * closed anyway, since no token verifies.
 */
export function createAuthorizers(
  config: {
    readonly authorizer?: AuthorizerConfig;
    readonly authorizers?: Readonly<Record<string, AuthorizerConfig>>;
  },
  platform: AuthPlatform,
  options: AuthorizerOptions = {},
): Map<string, Authorizer> {
  const { plans, problems } = checkAuthorizers(config, { strict: false, verifyingAuthorizers: new Set() });
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new ConfigInvalidError(errors);
  return buildAuthorizers(plans, platform, options);
}
