import type { Authorizer } from '../../auth/types.js';
import { ConfigInvalidError, configError } from '../../config/problems.js';
import type { AuthorizerConfig, CheckedAuthorizerConfig, RouteConfig } from '../../config/schema.js';
import type { IntegrationDeps } from '../definition.js';
import type { IdentityProviderType } from './select.js';

/**
 * The authorizer a flow route uses: the one the config checks resolved for it
 * (`deps.flowAuthorizers`, filled by lintIdentityFlows), of the flow's provider type, typed with
 * the `fields` the flow sends as present (its definition's `identityFlow.authorizerFields`,
 * each one checked by lintIdentityFlows), so the flow reads them without a fallback. The checks
 * do not run again here.
 */
export function requireFlowAuthorizer<
  P extends IdentityProviderType,
  F extends keyof AuthorizerConfig = never,
>(
  route: RouteConfig,
  deps: IntegrationDeps,
  provider: P,
  fields: readonly F[] = [],
): Authorizer<WithFields<ProviderConfig<P>, F>> {
  const name = deps.flowAuthorizers.get(route);
  const authorizer = name === undefined ? undefined : deps.authorizers.get(name);
  // A map lookup still needs the branch: the compiler was handed a config that was not checked.
  if (!authorizer || !isOfProvider(authorizer, provider, fields)) {
    const at = `/paths/${deps.config.paths.indexOf(route)}`;
    throw new ConfigInvalidError([configError(at, `no checked ${provider} authorizer for this flow route`)]);
  }
  return authorizer;
}

/** The checked config member of a provider's authorizer type. */
type ProviderConfig<P extends IdentityProviderType> = Extract<CheckedAuthorizerConfig, { readonly type: P }>;

/** An authorizer config with `F` present (the fields a flow route's checks required). */
export type WithFields<C extends AuthorizerConfig, F extends keyof AuthorizerConfig> = C & {
  readonly [K in F]-?: NonNullable<AuthorizerConfig[K]>;
};

function isOfProvider<P extends IdentityProviderType, F extends keyof AuthorizerConfig>(
  authorizer: Authorizer,
  provider: P,
  fields: readonly F[],
): authorizer is Authorizer<WithFields<ProviderConfig<P>, F>> {
  const config = authorizer.config;
  return config.type === provider && fields.every((field) => config[field] !== undefined);
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
