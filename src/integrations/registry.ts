import type { Authorizer } from '../auth/types.js';
import type { GatewayConfig, RouteConfig } from '../config/schema.js';
import type { Handler } from '../context.js';
import type { Platform } from '../platform.js';
import type { CompiledServer } from '../proxy/targets.js';
import { AUTH0_INTEGRATIONS } from './auth0/index.js';
import { createHttpProxyIntegration } from './http-proxy.js';
import { OIDC_INTEGRATIONS } from './oidc/index.js';
import { createServiceIntegration, type ServiceHandler } from './service.js';
import { createServiceBindingIntegration, type BindingEnv } from './service-binding.js';
import { SUPABASE_INTEGRATIONS } from './supabase/index.js';

/**
 * `integration.type → factory` (architecture.md "Registries, not switches"). A factory runs once
 * per route at compile time and returns the handler that serves that route's requests.
 * Legacy type names were already rewritten by config/normalize.ts.
 */
export interface IntegrationDeps {
  readonly config: GatewayConfig;
  readonly platform: Platform;
  readonly authorizers: ReadonlyMap<string, Authorizer>;
  readonly servers: ReadonlyMap<string, CompiledServer>;
  /** `service` handlers by alias, instantiated once per compile (service.ts). */
  readonly services: ReadonlyMap<string, ServiceHandler>;
  /** What hooks, bindings and services get as `env`: non-secret referenced variables only. */
  readonly envJson: BindingEnv;
}

export type IntegrationFactory = (route: RouteConfig, deps: IntegrationDeps) => Handler;

const FACTORIES: Readonly<Record<string, IntegrationFactory>> = {
  http_proxy: createHttpProxyIntegration,
  service: createServiceIntegration,
  service_binding: createServiceBindingIntegration,
  ...AUTH0_INTEGRATIONS,
  ...SUPABASE_INTEGRATIONS,
  ...OIDC_INTEGRATIONS,
};

export function integrationFactory(type: string): IntegrationFactory | undefined {
  return FACTORIES[type];
}

export function isIntegrationImplemented(type: string): boolean {
  return type in FACTORIES;
}
