import type { Authorizer } from '../../auth/types.js';
import { ConfigInvalidError, configError } from '../../config/problems.js';
import type { CheckedAuthorizerConfig, RouteConfig } from '../../config/schema.js';
import type { IntegrationDeps } from '../definition.js';
import { flowRouteProblems } from './lint.js';
import { chooseFlowAuthorizer, type IdentityProviderType } from './select.js';

/**
 * The authorizer a flow route uses, resolved at compile time. The route's own lint rules run
 * here too, so a flow is never built on a half-configured authorizer even where the lint pass
 * did not run (fail closed, docs/COMPAT.md row 4).
 */
export function requireFlowAuthorizer<P extends IdentityProviderType>(
  route: RouteConfig,
  deps: IntegrationDeps,
  provider: P,
): Authorizer<ProviderConfig<P>> {
  const at = `/paths/${deps.config.paths.indexOf(route)}`;
  const errors = flowRouteProblems(deps.config, route, at).filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new ConfigInvalidError(errors);
  const choice = chooseFlowAuthorizer(deps.config, route, at);
  if (!choice.ok) throw new ConfigInvalidError([configError(choice.pointer, choice.message)]);
  const authorizer = deps.authorizers.get(choice.name);
  if (!authorizer || !isOfProvider(authorizer, provider)) {
    throw new ConfigInvalidError([configError(choice.pointer, `no ${provider} authorizer was built`)]);
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
