import { TypeGuard, type TProperties } from '@sinclair/typebox';
import type { Authorizer } from '../auth/types.js';
import type {
  AuthorizerConfig,
  GatewayConfig,
  HookConfig,
  IntegrationConfig,
  RouteConfig,
  RouteWithIntegration,
} from '../config/schema.js';
import type { Handler } from '../context.js';
import type { Platform } from '../platform.js';
import type { CompiledServer } from '../proxy/targets.js';
import type { BindingEnv } from './service-binding.js';
import type { CompiledMapping } from '../mapping/compile.js';

/**
 * Everything the gateway knows about one `integration.type`, in one place: its schema part (the
 * fields of `integration` it reads), the alias table its reference points into, whether it is an identity flow (and which
 * authorizer type and fields that flow needs), and the factory that builds a route's handler once,
 * at compile time. A new integration is one file exporting its definition and one line in
 * registry.ts (docs/ARCHITECTURE.md "Registries, not switches").
 */
export interface IntegrationDefinition<C extends IntegrationConfig = IntegrationConfig, T = unknown> {
  /**
   * The type's schema part: the fields of `integration` besides `type` it reads (TypeBox). The
   * config schema is assembled from every type's part (src/assembly/config-schema.ts); a field
   * not wrapped in `Type.Optional` is required for this type (the checker reports it missing,
   * naming the field). The same file declares the fields' types into `IntegrationFields`.
   */
  readonly fields: TProperties;
  /**
   * The alias the type references, and the table that must hold it (`post_process`: the
   * `binding` of that hook object, when the route has one).
   */
  readonly reference?: IntegrationReference;
  /**
   * Identity flows (docs/FLOWS.md): the authorizer type that runs the flow and the fields of
   * that authorizer the flow sends. On such a route `auth` only selects the authorizer; the
   * route gets no bearer-token step.
   */
  readonly identityFlow?: {
    readonly provider: 'auth0' | 'supabase' | 'oidc';
    readonly authorizerFields: readonly (keyof AuthorizerConfig)[];
  };
  /**
   * Builds the route's handler once; `route.integration` has every required field, and
   * `target` is what `reference` names, checked and resolved by the config checks (the compiled
   * server for `servers`, the service's handler for `services`, the binding name for
   * `serviceBindings`, the hook and its binding for `post_process`), so no factory looks it up.
   */
  create(route: RouteWithIntegration<C>, deps: IntegrationDeps, target: T): Handler;
}

export type IntegrationReference =
  | { readonly field: 'server'; readonly table: 'servers' }
  | { readonly field: 'binding'; readonly table: 'services' | 'serviceBindings' }
  | { readonly field: 'post_process'; readonly table: 'serviceBindings' };

/** The alias an integration's reference names (undefined: the optional hook is not configured). */
export function referencedAlias(
  integration: IntegrationConfig,
  reference: IntegrationReference,
): string | undefined {
  return reference.field === 'post_process'
    ? integration.post_process?.binding
    : integration[reference.field];
}

/** A hook (`post_process`) with the binding its alias resolved to. */
export interface ResolvedHook {
  readonly hook: HookConfig;
  readonly binding: string;
}

/** The fields of `integration` a type requires: those of its schema part not marked optional. */
export function requiredFields(definition: IntegrationDefinition): readonly (keyof IntegrationConfig)[] {
  return Object.entries(definition.fields)
    .filter(([, schema]) => !TypeGuard.IsOptional(schema))
    .map(([name]) => name as keyof IntegrationConfig);
}

/** What a factory may use; built once per compile. */
export interface IntegrationDeps {
  readonly config: GatewayConfig;
  readonly platform: Platform;
  readonly authorizers: ReadonlyMap<string, Authorizer>;
  readonly servers: ReadonlyMap<string, CompiledServer>;
  /** What hooks, bindings and services get as `env`: non-secret referenced variables only. */
  readonly envJson: BindingEnv;
  /** Each http_proxy route's mapping, checked and compiled by the config checks (none: nothing to map). */
  readonly mappings: ReadonlyMap<RouteConfig, CompiledMapping>;
  /** The authorizer each identity-flow route resolved to in the config checks, by name. */
  readonly flowAuthorizers: ReadonlyMap<RouteConfig, string>;
}

export type IntegrationFactory = (route: RouteConfig, deps: IntegrationDeps) => Handler;
