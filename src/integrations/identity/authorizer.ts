import type { Authorizer } from '../../auth/types.js';
import { ConfigInvalidError, configError } from '../../config/problems.js';
import type { CheckedAuthorizerConfig, RouteConfig } from '../../config/schema.js';
import type { IntegrationDeps } from '../definition.js';
import type { IdentityProviderType } from './select.js';

/**
 * The authorizer a flow route uses: the one the config checks resolved for it
 * (`deps.flowAuthorizers`, filled by lintIdentityFlows), of the flow's provider type. The checks
 * do not run again here.
 */
export function requireFlowAuthorizer<P extends IdentityProviderType>(
  route: RouteConfig,
  deps: IntegrationDeps,
  provider: P,
): Authorizer<ProviderConfig<P>> {
  const name = deps.flowAuthorizers.get(route);
  const authorizer = name === undefined ? undefined : deps.authorizers.get(name);
  // A map lookup still needs the branch: the compiler was handed a config that was not checked.
  if (!authorizer || !isOfProvider(authorizer, provider)) {
    const at = `/paths/${deps.config.paths.indexOf(route)}`;
    throw new ConfigInvalidError([configError(at, `no checked ${provider} authorizer for this flow route`)]);
  }
  return authorizer;
}

/** The checked config member of a provider's authorizer type. */
type ProviderConfig<P extends IdentityProviderType> = Extract<CheckedAuthorizerConfig, { readonly type: P }>;

function isOfProvider<P extends IdentityProviderType>(
  authorizer: Authorizer,
  provider: P,
): authorizer is Authorizer<ProviderConfig<P>> {
  return authorizer.config.type === provider;
}

/**
 * State built once per authorizer of a compiled config and shared by all its flow routes (a
 * client, a derived key). Keyed weakly: it goes away with the compiled config on reload.
 */
export function perAuthorizer<T>(): (authorizer: Authorizer, build: () => T) => T {
  const cache = new WeakMap<Authorizer, { readonly value: T }>();
  return (authorizer, build) => {
    let entry = cache.get(authorizer);
    if (!entry) {
      entry = { value: build() };
      cache.set(authorizer, entry);
    }
    return entry.value;
  };
}
