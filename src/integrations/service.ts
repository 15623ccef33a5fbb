import type { ConfigProblem } from '../config/problems.js';
import { configError } from '../config/problems.js';
import type { Static, TObject } from '@sinclair/typebox';
import {
  NonEmpty,
  type GatewayConfig,
  type IntegrationConfig,
  type RouteWithIntegration,
  type ServiceConfig,
} from '../config/schema.js';
import type { Handler } from '../context.js';
import type { IntegrationDefinition, IntegrationDeps } from './definition.js';
import { resultToResponse } from './result.js';
import { bindingContext, type BindingContext, type BindingEnv } from './service-binding.js';
import { standardRequest } from '../standard-request.js';

/**
 * `service` routes (docs/CONFIG.md "Services, service bindings and hooks"): an in-process module whose default export is
 * a class with `fetch(request, env, ctx)` (instantiated once per compile) or an object with
 * `fetch`. The result is wrapped by result.ts.
 *
 * How modules arrive is the adapter's business; the core only sees `ServiceModules`, keyed by
 * `services[].entrypoint` exactly as written in the config:
 * - Node: adapters/node/services.ts imports each file (relative to the config file) before
 *   compiling;
 * - Workers: a build-time generated import map (`import * as m0 from "…"`), never an import
 *   by a runtime string.
 *
 * Least privilege as for bindings (docs/COMPAT.md row 18): `env` is the same `envJson` a binding
 * gets, and `ctx` is `contextJson` plus `waitUntil`.
 */

/** Module namespaces (`import * as m`) by entrypoint as written in the config. */
export type ServiceModules = Readonly<Record<string, unknown>>;

/** The `ctx` argument of a service's `fetch`. */
export interface ServiceContext extends BindingContext {
  /** Keeps work alive after the response (Workers' ExecutionContext.waitUntil; Node: no-op guard). */
  waitUntil(promise: Promise<unknown>): void;
}

export interface ServiceHandler {
  fetch(request: Request, env: BindingEnv, ctx: ServiceContext): unknown;
}

/**
 * Resolves every `services[]` entry to its handler, once per compile. A module that is
 * missing or whose default export is neither a class with `fetch` nor an object with `fetch`
 * is a config problem at `/services/N/entrypoint`.
 */
export function instantiateServices(
  config: GatewayConfig,
  modules: ServiceModules,
): { services: Map<ServiceConfig, ServiceHandler>; problems: ConfigProblem[] } {
  const services = new Map<ServiceConfig, ServiceHandler>();
  const problems: ConfigProblem[] = [];
  (config.services ?? []).forEach((service, index) => {
    const pointer = `/services/${index}/entrypoint`;
    if (!Object.hasOwn(modules, service.entrypoint)) {
      problems.push(
        configError(pointer, `module "${service.entrypoint}" was not loaded (Workers: not in this build)`),
      );
      return;
    }
    try {
      const handler = serviceHandlerOf(modules[service.entrypoint]);
      if (handler) services.set(service, handler);
      else problems.push(configError(pointer, shapeMessage(service.entrypoint)));
    } catch (error) {
      problems.push(
        configError(
          pointer,
          `constructing the default export of "${service.entrypoint}" failed: ${String(error)}`,
        ),
      );
    }
  });
  return { services, problems };
}

/** Default export: a class with `fetch` on its prototype → one instance; an object with `fetch` → itself. */
export function serviceHandlerOf(namespace: unknown): ServiceHandler | undefined {
  const exported = (namespace as { default?: unknown } | null | undefined)?.default;
  if (typeof exported === 'function') {
    const prototype = (exported as { prototype?: { fetch?: unknown } }).prototype;
    if (typeof prototype?.fetch !== 'function') return undefined;
    return new (exported as new () => ServiceHandler)();
  }
  if (
    typeof exported === 'object' &&
    exported !== null &&
    typeof (exported as ServiceHandler).fetch === 'function'
  ) {
    return exported as ServiceHandler;
  }
  return undefined;
}

/** `service`'s schema part: the alias of the `services[]` entry it calls. */
const SERVICE_FIELDS = { binding: NonEmpty };
type ServiceFields = Static<TObject<typeof SERVICE_FIELDS>>;
declare module '../config/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the part's fields
  interface IntegrationFields extends ServiceFields {}
}
export type ServiceIntegrationConfig = IntegrationConfig & { type: 'service' } & ServiceFields;

/** `service`: a module of `services[]`, called in-process (docs/CONFIG.md "Services, service bindings and hooks"). */
export const serviceIntegration: IntegrationDefinition<ServiceIntegrationConfig, ServiceHandler> = {
  fields: SERVICE_FIELDS,
  reference: { field: 'binding', table: 'services' },
  create: createServiceIntegration,
};

export function createServiceIntegration(
  route: RouteWithIntegration<ServiceIntegrationConfig>,
  deps: IntegrationDeps,
  /** The handler of the `services[]` entry the route names, resolved by the config checks. */
  service: ServiceHandler,
): Handler {
  const { envJson } = deps;
  const waitUntil = (promise: Promise<unknown>): void => deps.platform.waitUntil(promise);
  return async (ctx) => {
    // bindingContext builds a fresh object per request, so adding to it is safe.
    const context: ServiceContext = Object.assign(bindingContext(route, ctx), { waitUntil });
    return resultToResponse(await service.fetch(standardRequest(ctx.request), envJson, context));
  };
}

function shapeMessage(entrypoint: string): string {
  return `the default export of "${entrypoint}" must be a class with fetch(request, env, ctx) or an object with fetch`;
}
