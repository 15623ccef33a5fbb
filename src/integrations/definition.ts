import type { Authorizer } from '../auth/types.js';
import type {
  AuthorizerConfig,
  GatewayConfig,
  IntegrationConfig,
  RouteConfig,
  RouteWithIntegration,
} from '../config/schema.js';
import type { Handler } from '../context.js';
import type { Platform } from '../platform.js';
import type { CompiledServer } from '../proxy/targets.js';
import type { ServiceHandler } from './service.js';
import type { BindingEnv } from './service-binding.js';
import type { CompiledMapping } from '../mapping/compile.js';

/**
 * Everything the gateway knows about one `integration.type`, in one place: the fields it needs,
 * the alias table its reference points into, whether it is an identity flow (and which
 * authorizer type and fields that flow needs), and the factory that builds a route's handler once,
 * at compile time. A new integration is one file exporting its definition and one line in
 * registry.ts (docs/ARCHITECTURE.md "Registries, not switches").
 */
export interface IntegrationDefinition<C extends IntegrationConfig = IntegrationConfig> {
  /** Fields of `integration` the type needs (the checker reports each missing one). */
  readonly required: readonly (keyof IntegrationConfig)[];
  /** The alias the type references, and the table that must hold it. */
  readonly reference?: {
    readonly field: 'server' | 'binding';
    readonly table: 'servers' | 'services' | 'serviceBindings';
  };
  /**
   * Identity flows (docs/FLOWS.md): the authorizer type that runs the flow and the fields of
   * that authorizer the flow sends. On such a route `auth` only selects the authorizer; the
   * route gets no bearer-token step.
   */
  readonly identityFlow?: {
    readonly provider: 'auth0' | 'supabase' | 'oidc';
    readonly authorizerFields: readonly (keyof AuthorizerConfig)[];
  };
  /** Builds the route's handler once; `route.integration` has every field of `required`. */
  create(route: RouteWithIntegration<C>, deps: IntegrationDeps): Handler;
}

/**
 * The route with its integration narrowed to the definition's member, when it has every
 * required field (the checker reported each missing one; the compiler refuses such a route).
 */
export function routeForDefinition<C extends IntegrationConfig>(
  route: RouteConfig,
  definition: IntegrationDefinition<C>,
): RouteWithIntegration<C> | undefined {
  const integration = route.integration;
  if (integration === undefined) return undefined;
  return definition.required.every((field) => integration[field] !== undefined)
    ? (route as RouteWithIntegration<C>)
    : undefined;
}

/** What a factory may use; built once per compile. */
export interface IntegrationDeps {
  readonly config: GatewayConfig;
  readonly platform: Platform;
  readonly authorizers: ReadonlyMap<string, Authorizer>;
  readonly servers: ReadonlyMap<string, CompiledServer>;
  /** `service` handlers by alias, instantiated once per compile (service.ts). */
  readonly services: ReadonlyMap<string, ServiceHandler>;
  /** What hooks, bindings and services get as `env`: non-secret referenced variables only. */
  readonly envJson: BindingEnv;
  /** Each http_proxy route's mapping, checked and compiled by the config checks (none: nothing to map). */
  readonly mappings: ReadonlyMap<RouteConfig, CompiledMapping>;
  /** The authorizer each identity-flow route resolved to in the config checks, by name. */
  readonly flowAuthorizers: ReadonlyMap<RouteConfig, string>;
}

export type IntegrationFactory = (route: RouteConfig, deps: IntegrationDeps) => Handler;
