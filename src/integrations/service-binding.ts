import type { JWTPayload } from 'jose';
import type { ConfigProblem } from '../config/problems.js';
import { configError, configWarning } from '../config/problems.js';
import type { Static, TObject } from '@sinclair/typebox';
import {
  NonEmpty,
  type GatewayConfig,
  type IntegrationConfig,
  type RouteConfig,
  type RouteWithIntegration,
} from '../config/schema.js';
import type { Handler, RequestContext } from '../context.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { IntegrationDefinition, IntegrationDeps } from './definition.js';
import { resultToResponse } from './result.js';
import { standardRequest } from '../standard-request.js';

/**
 * `service_binding` routes and the calls hooks make (docs/CONFIG.md "Services, service bindings and hooks"):
 * `env[binding][function](request, envJson, contextJson)`, where `env[binding]` is
 * `platform.bindings[binding]` (Workers: the Worker's env; Node: modules given with
 * `--binding NAME=PATH`).
 *
 * Least privilege (docs/COMPAT.md row 18, docs/SECURITY.md "Secrets"): the callee never sees the resolved
 * config, the Worker's env or any secret — only `envJson` (the non-secret variables the config
 * itself references, built once per compile) and `contextJson` (the route, the verified claims,
 * the request id). Both are plain JSON values, so they cross a Workers RPC boundary unchanged.
 */

/** `envJson`: variable name → value, for the `$env.NAME` references of the config only. */
export type BindingEnv = Readonly<Record<string, string>>;

/** `contextJson`: what the callee may know about the request besides the request itself. */
export interface BindingContext {
  /** The matched route as configured (`method` may be `ANY`; `path` is the pattern). */
  readonly route: {
    readonly method: string;
    readonly path: string;
    readonly params: Readonly<Record<string, string>>;
  };
  /** Claims of the verified token; `null` on routes without `auth`. */
  readonly claims: JWTPayload | null;
  readonly requestId: string;
}

/** Calls one binding function for a request; resolved once per route at compile time. */
export type BindingCall = (request: Request, ctx: RequestContext) => Promise<unknown>;

/** Settings whose value is a secret, whichever prefix (`$env`/`$secret`) referenced it. */
const SECRET_FIELDS = ['secret', 'client_secret', 'jwt_secret'] as const;

/**
 * Builds `envJson` once per compile: every variable referenced as `$env.NAME`, except those
 * also used as a secret — referenced as `$secret.NAME`, or whose value is an authorizer's
 * `secret`, `client_secret` or `jwt_secret` (configs written for the anchor often reference
 * their HMAC secret with `$env`).
 */
export function createBindingEnv(
  config: GatewayConfig,
  referenced: ReadonlyMap<string, 'env' | 'secret'>,
  env: Readonly<Record<string, unknown>>,
): BindingEnv {
  const secretValues = new Set<string>();
  for (const authorizer of [config.authorizer, ...Object.values(config.authorizers ?? {})]) {
    for (const field of SECRET_FIELDS) {
      const value = authorizer?.[field];
      if (value !== undefined) secretValues.add(value);
    }
  }
  // API keys are secrets wherever they were referenced from (docs/TRAFFIC.md).
  for (const consumer of Object.values(config.consumers ?? {}))
    for (const key of consumer.keys ?? []) secretValues.add(key);
  const out: Record<string, string> = {};
  for (const [name, kind] of referenced) {
    if (kind !== 'env') continue;
    const value = env[name];
    if (value === undefined || value === null || typeof value === 'object') continue;
    const text = String(value);
    if (!secretValues.has(text)) out[name] = text;
  }
  return Object.freeze(out);
}

export function bindingContext(route: RouteConfig, ctx: RequestContext): BindingContext {
  return {
    // A plain copy: the router's params have a null prototype, which Workers RPC refuses to
    // serialize ("Could not serialize object of type Object").
    route: { method: route.method, path: route.path, params: { ...ctx.params } },
    claims: ctx.claims ?? null,
    requestId: ctx.requestId,
  };
}

/**
 * The call for `binding` (a `serviceBindings[].binding`, resolved by the config checks) +
 * `function` on `route`. Compilation has already checked the target (checkBindings); when it
 * was compiled leniently (validate, routes) a missing target fails the request instead.
 */
export function bindingCall(
  deps: IntegrationDeps,
  route: RouteConfig,
  binding: string,
  name: string,
): BindingCall {
  const target = deps.platform.bindings[binding];
  const envJson = deps.envJson;
  const notProvided = (): GatewayError =>
    new GatewayError('ERR_INTERNAL', {
      detail: { reason: 'binding function not provided', binding, function: name },
    });
  if (!isTarget(target)) return () => Promise.reject(notProvided());
  return async (request, ctx) => {
    // Looked up per call: a Workers RPC stub resolves any property name when it is read.
    const fn = target[name];
    if (typeof fn !== 'function') throw notProvided();
    // Called as a method: a class instance or a Workers RPC stub needs its `this`. Reflect.apply,
    // not `fn.call(…)`: on an RPC stub `fn.call` is itself a remote property path ("inspect.call").
    return Reflect.apply(fn, target, [request, envJson, bindingContext(route, ctx)]) as unknown;
  };
}

/** `service_binding`'s schema part: the `serviceBindings[]` alias and the function to call. */
const SERVICE_BINDING_FIELDS = { binding: NonEmpty, function: NonEmpty };
type ServiceBindingFields = Static<TObject<typeof SERVICE_BINDING_FIELDS>>;
declare module '../config/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the part's fields
  interface IntegrationFields extends ServiceBindingFields {}
}
export type ServiceBindingIntegrationConfig = IntegrationConfig & {
  type: 'service_binding';
} & ServiceBindingFields;

/** `service_binding`: a function of a binding of `serviceBindings[]`. */
export const serviceBindingIntegration: IntegrationDefinition<ServiceBindingIntegrationConfig, string> = {
  fields: SERVICE_BINDING_FIELDS,
  reference: { field: 'binding', table: 'serviceBindings' },
  create: createServiceBindingIntegration,
};

export function createServiceBindingIntegration(
  route: RouteWithIntegration<ServiceBindingIntegrationConfig>,
  deps: IntegrationDeps,
  binding: string,
): Handler {
  const call = bindingCall(deps, route, binding, route.integration.function);
  return async (ctx) => resultToResponse(await call(standardRequest(ctx.request), ctx));
}

/**
 * Compile-time check that every binding function a route calls (its `service_binding`
 * integration, its `pre_process` hook) is provided by the platform, so a missing binding is a
 * config error naming it rather than a failure on the first request (docs/COMPAT.md row 13).
 * `severity: 'warning'` is for commands that compile without serving (validate, routes).
 */
export function checkBindings(
  config: GatewayConfig,
  bindings: Readonly<Record<string, unknown>>,
  severity: 'error' | 'warning',
): ConfigProblem[] {
  const problem = severity === 'error' ? configError : configWarning;
  const problems: ConfigProblem[] = [];
  const reported = new Set<string>();
  config.paths.forEach((route, index) => {
    for (const use of bindingUses(route, index)) {
      const entryIndex = (config.serviceBindings ?? []).findIndex((b) => b.alias === use.alias);
      const entry = config.serviceBindings?.[entryIndex];
      if (!entry) continue; // an unknown alias is already a lint error
      const target = bindings[entry.binding];
      if (!isTarget(target)) {
        if (reported.has(entry.binding)) continue;
        reported.add(entry.binding);
        problems.push(
          problem(`/serviceBindings/${entryIndex}/binding`, missingMessage(entry.binding, target)),
        );
      } else if (typeof target[use.name] !== 'function') {
        problems.push(problem(use.pointer, `binding "${entry.binding}" has no function "${use.name}"`));
      }
    }
  });
  return problems;
}

function bindingUses(route: RouteConfig, index: number): { alias: string; name: string; pointer: string }[] {
  const uses: { alias: string; name: string; pointer: string }[] = [];
  const integration = route.integration;
  if (integration?.type === 'service_binding' && integration.binding && integration.function) {
    uses.push({
      alias: integration.binding,
      name: integration.function,
      pointer: `/paths/${index}/integration/function`,
    });
  }
  if (route.pre_process) {
    uses.push({
      alias: route.pre_process.binding,
      name: route.pre_process.function,
      pointer: `/paths/${index}/pre_process/function`,
    });
  }
  return uses;
}

function missingMessage(binding: string, found: unknown): string {
  const what = found === undefined ? 'is not provided' : `is not a service binding (found a ${typeof found})`;
  return `binding "${binding}" ${what} (Node: start with --binding ${binding}=PATH; Workers: declare the service binding in the wrangler config)`;
}

function isTarget(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}
