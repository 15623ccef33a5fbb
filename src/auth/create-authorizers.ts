import type { AuthorizerConfig } from '../config/schema.js';
import { ConfigInvalidError } from '../config/problems.js';
import { createAuthorizer } from './authorizer.js';
import { isApiKeyAuthorizer } from './authorizers/api-key.js';
import { DEFAULT_VERIFICATION_CACHE_OPTIONS, type VerificationCacheOptions } from './cache.js';
import { AUTHORIZER_KINDS, authorizerKind } from './authorizer-types.js';
import { lintAuthorizers } from './lint.js';
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
 * Builds every authorizer of a config once, at compile time: `authorizer` under the name
 * `default` (what `auth: true` means), each of `authorizers` under its own name. A definition
 * with errors is refused here too (ConfigInvalidError), so no route can ever be served by a
 * half-configured authorizer (docs/COMPAT.md row 4: fail closed).
 */
export function createAuthorizers(
  config: {
    readonly authorizer?: AuthorizerConfig;
    readonly authorizers?: Readonly<Record<string, AuthorizerConfig>>;
  },
  platform: AuthPlatform,
  options: AuthorizerOptions = {},
): Map<string, Authorizer> {
  // This backstop does not see the routes: an empty inline key set (refused at load when a route
  // verifies with it) is allowed here, and it fails closed anyway, since no token verifies.
  const errors = lintAuthorizers(config, { strict: false, verifyingAuthorizers: new Set() }).filter(
    (p) => p.severity === 'error',
  );
  if (errors.length > 0) throw new ConfigInvalidError(errors);
  const verifierOptions: VerifierOptions = {
    remoteKeySet: { ...DEFAULT_REMOTE_KEY_SET_OPTIONS, ...options.remoteKeySet },
    cache: options.cache === false ? false : { ...DEFAULT_VERIFICATION_CACHE_OPTIONS, ...options.cache },
  };
  const build = (name: string, def: AuthorizerConfig): Authorizer => {
    const kind = authorizerKind(def.type);
    // The lint rules above report an unknown type or a missing required field with its
    // pointer; this narrowing is where the checked union member is established.
    if (!kind?.accepts(def))
      throw new ConfigInvalidError([
        {
          pointer: '',
          message: `authorizer "${name}" of type "${def.type}" is incomplete`,
          severity: 'error',
        },
      ]);
    return createAuthorizer(name, kind, def, platform, verifierOptions);
  };
  const authorizers = new Map<string, Authorizer>();
  // `api_key` authorizers verify no token; traffic/compile.ts builds their step.
  if (config.authorizer && !isApiKeyAuthorizer(config.authorizer))
    authorizers.set('default', build('default', config.authorizer));
  for (const [name, def] of Object.entries(config.authorizers ?? {}))
    if (!isApiKeyAuthorizer(def)) authorizers.set(name, build(name, def));
  return authorizers;
}
