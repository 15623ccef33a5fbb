import { authorizerBuilder } from '../auth/create-authorizers.js';
import type { Authorizer } from '../auth/types.js';
import type { CompiledCors } from '../cors/index.js';
import { composeSteps, type Handler, type Step } from '../context.js';
import { createPreProcessStep } from '../pipeline/pre-process.js';
import { createSessionAuthorizeStep } from '../integrations/oidc/session-step.js';
import { checkSessionStores } from '../session/settings.js';
import type { IntegrationDeps } from '../integrations/registry.js';
import { instantiateServices, type ServiceHandler, type ServiceModules } from '../integrations/service.js';
import type { ResolvedHook } from '../integrations/definition.js';
import { checkBindings, createBindingEnv } from '../integrations/service-binding.js';
import { createStaticHandler } from '../integrations/static.js';
import { instrumentAuthorizeStep } from '../observability/instrument-authorize.js';
import { createAuthorizeStep } from '../pipeline/authorize.js';
import { createWebSocketTokenStep } from '../pipeline/websocket-token.js';
import { createCacheStep } from '../proxy/cache/cache-step.js';
import { createHealthTickStep } from '../proxy/health-tick-step.js';
import { MemoryStore, type ResponseStore } from '../proxy/cache/memory-store.js';
import type { Platform } from '../platform.js';
import { buildServer, type CompiledServer, type ServerPlan } from '../proxy/targets.js';
import { compileWebSocketOptions } from '../proxy/websocket.js';
import { compileTrustedProxies, type IpRanges } from '../proxy/trusted-proxies.js';
import { createRouter, type Router } from '../router/router.js';
import { compileTraffic, type CompiledTraffic } from '../traffic/compile.js';
import type { RateLimitStore } from '../traffic/types.js';
import { DEFAULT_LIMITS, type GatewayLimits } from '../config/limits.js';
import type { LoadedConfig } from './load-config.js';
import type { RoutePlan } from './check-config.js';
import { ConfigInvalidError, configError, type ConfigProblem } from '../config/problems.js';
import type { GatewayConfig, RouteMethod } from '../config/schema.js';

/**
 * Compiles a validated config into the immutable structure that serves requests
 * (docs/CONFIG.md "Loading, once"): the route tree, one pipeline per route (only the steps the route uses),
 * authorizers with their key sets, CORS header strings, the limits. Requests only read it.
 */
export { DEFAULT_LIMITS, type GatewayLimits };

export interface CompiledRoute {
  readonly index: number;
  readonly method: RouteMethod;
  readonly path: string;
  /** `METHOD PATH`, for the access log. */
  readonly label: string;
  readonly handler: Handler;
}

export interface CompileOptions {
  /**
   * Modules for `services[].entrypoint`, keyed by the entrypoint exactly as written in the
   * config (Node: adapters/node/services.ts loads them; Workers: a build-time import map).
   */
  readonly serviceModules?: ServiceModules;
  /**
   * A binding a route calls (`service_binding`, `pre_process`) that `platform.bindings` does not
   * provide: `'error'` (default) refuses the config; `'warning'` is for commands that compile
   * without serving (validate, routes) and cannot know the runtime's bindings.
   */
  readonly missingBindings?: 'error' | 'warning';
}

export interface CompiledGateway {
  readonly config: GatewayConfig;
  readonly router: Router<CompiledRoute>;
  readonly cors: CompiledCors | undefined;
  readonly poweredBy: boolean;
  /** `gateway.server_timing`: a Server-Timing header on every response. */
  readonly serverTiming: boolean;
  readonly limits: GatewayLimits;
  /** gateway.trusted_proxies, parsed (proxy/client-address.ts). */
  readonly trustedProxies: IpRanges;
  readonly authorizers: ReadonlyMap<string, Authorizer>;
  /** Compiled `servers[]` by alias (the Node adapter runs their health checks). */
  readonly servers: ReadonlyMap<string, CompiledServer>;
  /** The rate-limit store the routes count in (readiness probes it); undefined when unused. */
  readonly rateLimitStore: RateLimitStore | undefined;
  readonly warnings: readonly ConfigProblem[];
  /** Fetches remote key sets so the first protected request is not slow. Never rejects. */
  prefetch(): Promise<void>;
}

export function compileGateway(
  loaded: LoadedConfig,
  platform: Platform,
  options: CompileOptions = {},
): CompiledGateway {
  const { config, parts } = loaded;
  const targets = checkTargets(config, platform, options);
  const targetErrors = targets.problems.filter((p) => p.severity === 'error');
  if (targetErrors.length > 0) throw new ConfigInvalidError(targetErrors);

  // Built from the checked plans, each once: a route holds the plan its authorizer or server
  // resolved to, so it gets the same instance the gateway lists, with no lookup by name.
  const authorizerOf = authorizerBuilder(platform);
  const authorizers = new Map(
    [...parts.authorizers].map(([name, plan]) => [name, authorizerOf(name, plan)] as const),
  );
  const serverOf = memoized((plan: ServerPlan) =>
    buildServer(plan, platform.selfOrigin ? { selfOrigin: platform.selfOrigin } : {}),
  );
  const servers = new Map<string, CompiledServer>(
    [...parts.servers].map(([alias, plan]) => [alias, serverOf(plan)]),
  );
  const deps: IntegrationDeps = {
    config,
    platform,
    authorizers,
    servers,
    envJson: createBindingEnv(config, loaded.referenced, platform.env),
    mappings: parts.mappings,
    flowAuthorizers: parts.flowAuthorizers,
  };

  const problems: ConfigProblem[] = [];
  const traffic = compileTraffic(config, platform, problems);
  // The checks give every route a plan when the config has no error; a config assembled some
  // other way that lacks one is refused rather than served without that route.
  if (parts.routes.length !== config.paths.length)
    throw new ConfigInvalidError([configError('/paths', 'routes were not checked')]);
  const targetOf = (plan: RoutePlan): ResolvedTarget => {
    const target = plan.target;
    switch (target?.kind) {
      case undefined:
        return undefined;
      case 'server':
        return serverOf(target.server);
      case 'binding':
        return target.binding;
      case 'hook':
        return { hook: target.hook, binding: target.binding };
      case 'service': {
        const service = targets.services.get(target.service);
        // Every entry instantiated, or checkTargets reported why and the config was refused above.
        if (service) return service;
        problems.push(configError(`/paths/${plan.index}/integration/binding`, 'service not instantiated'));
        return undefined;
      }
    }
  };
  const routes = parts.routes.map((plan) => ({
    method: plan.route.method,
    path: plan.route.path,
    value: {
      index: plan.index,
      method: plan.route.method,
      path: plan.route.path,
      label: `${plan.route.method} ${plan.route.path}`,
      handler: compileRouteHandler(plan, deps, traffic, problems, authorizerOf, serverOf, targetOf(plan)),
    },
  }));
  if (problems.length > 0) throw new ConfigInvalidError(problems);

  // Key sets are fetched ahead only for the authorizers a route verifies tokens with or a login
  // flow uses; an unused one is fetched on first need, if ever. (Readiness checks the routes'
  // ones: a login flow's key set serves a login, not the requests a load balancer sends.)
  const used = new Set<string>(parts.flowAuthorizers.values());
  for (const plan of parts.routes) if (plan.auth?.kind === 'token') used.add(plan.auth.name);

  const gateway = config.gateway;
  return {
    config,
    router: createRouter(routes),
    cors: parts.cors,
    poweredBy: gateway?.powered_by ?? true,
    serverTiming: gateway?.server_timing ?? false,
    limits: {
      maxBodyBytes: gateway?.max_body_bytes ?? DEFAULT_LIMITS.maxBodyBytes,
      maxUrlLength: gateway?.max_url_length ?? DEFAULT_LIMITS.maxUrlLength,
      maxConcurrentRequests: gateway?.max_concurrent_requests ?? DEFAULT_LIMITS.maxConcurrentRequests,
    },
    trustedProxies: compileTrustedProxies(gateway?.trusted_proxies),
    rateLimitStore: traffic.store(),
    authorizers,
    servers,
    warnings: [...loaded.warnings, ...targets.problems],
    prefetch: async () => {
      await Promise.all([...authorizers].filter(([name]) => used.has(name)).map(([, a]) => a.prefetch()));
    },
  };
}

/**
 * What only the runtime knows: the service modules `services[]` names and the bindings routes
 * call (`service_binding`, `pre_process`, KV session stores). The build step reports these in the
 * same run as the config's own problems.
 */
export function checkTargets(
  config: GatewayConfig,
  platform: Pick<Platform, 'bindings'>,
  options: CompileOptions,
): {
  readonly problems: ConfigProblem[];
  readonly services: ReturnType<typeof instantiateServices>['services'];
} {
  const instantiated = instantiateServices(config, options.serviceModules ?? {});
  return {
    problems: [
      ...checkBindings(config, platform.bindings, options.missingBindings ?? 'error'),
      ...checkSessionStores(config, platform.bindings, options.missingBindings ?? 'error'),
      ...instantiated.problems,
    ],
    services: instantiated.services,
  };
}

function compileRouteHandler(
  plan: RoutePlan,
  deps: IntegrationDeps,
  traffic: CompiledTraffic,
  problems: ConfigProblem[],
  authorizerOf: AuthorizerOf,
  serverOf: (plan: ServerPlan) => CompiledServer,
  target: ResolvedTarget,
): Handler {
  const { route, index } = plan;
  // Rate limits wrap authentication: `before_auth` policies shed a flood before any verification
  // (docs/TRAFFIC.md), the others count verified identities.
  const limits = traffic.routeSteps(route, index);
  const steps: Step[] = [...limits.beforeAuth];
  // Workers: this route's requests drive its pool's health checks (nothing else runs there).
  const healthTick =
    plan.target?.kind === 'server' ? createHealthTickStep(serverOf(plan.target.server), deps) : undefined;
  if (healthTick) steps.unshift(healthTick);
  // Before authorization: an upgrade's token may arrive in its query or subprotocols.
  const tokenStep =
    route.integration?.type === 'http_proxy'
      ? createWebSocketTokenStep(compileWebSocketOptions(route.websocket))
      : undefined;
  if (tokenStep) steps.push(tokenStep);
  // On an identity-flow route `auth` only selects the flow's authorizer (docs/FLOWS.md): the
  // callback and login routes are reached before the browser has any token; the checks give
  // such a route no `auth` plan.
  const auth = plan.auth;
  if (auth?.kind === 'api_key') {
    const apiKeyStep = traffic.apiKeyStep(auth.name);
    // compileTraffic builds a step for every API-key authorizer; should the two ever disagree,
    // the route is refused rather than served without its key check (fail closed).
    if (apiKeyStep) steps.push(apiKeyStep);
    else
      problems.push(
        configError(`/paths/${index}/auth`, `API-key authorizer "${auth.name}" has no key check`),
      );
  } else if (auth) {
    const authorizer = authorizerOf(auth.name, auth.plan);
    steps.push(
      instrumentAuthorizeStep(
        // An oidc authorizer with a session login also accepts the session cookie (docs/FLOWS.md).
        (authorizer.type === 'oidc'
          ? createSessionAuthorizeStep(authorizer, route.scopes, deps)
          : undefined) ?? createAuthorizeStep(authorizer, route.scopes),
        authorizer.name,
        {
          tracing: deps.platform.telemetry?.tracing,
          timed: deps.config.gateway?.server_timing ?? false,
        },
      ),
    );
  }
  steps.push(...limits.afterAuth);
  if (route.pre_process && plan.preProcessBinding !== undefined)
    steps.push(createPreProcessStep(route.pre_process, plan.preProcessBinding, route, deps));
  // After authorization and hooks: a stored answer is only for requests that got this far.
  if (route.cache && route.integration?.type === 'http_proxy') {
    steps.push(
      createCacheStep(
        route.cache,
        responseCacheOf(deps),
        () => deps.platform.now(),
        (work) => deps.platform.waitUntil(work),
      ),
    );
  }
  const handler = plan.definition
    ? plan.definition.create(plan.route, deps, target)
    : createStaticHandler(plan.route);
  return composeSteps(steps, handler);
}

/** docs/PROTOCOLS.md "Response caching": the memory store's default bound. */
const DEFAULT_CACHE_MAX_BYTES = 32 * 1024 * 1024;
const RESPONSE_CACHES = new WeakMap<IntegrationDeps, ResponseStore>();

/**
 * One response store per compiled config, shared by its cached routes; a reload starts with an
 * empty memory store (on Workers the Cache API behind it outlives the config).
 */
function responseCacheOf(deps: IntegrationDeps): ResponseStore {
  let store = RESPONSE_CACHES.get(deps);
  if (store === undefined) {
    const maxBytes = deps.config.gateway?.cache_max_bytes ?? DEFAULT_CACHE_MAX_BYTES;
    store = deps.platform.responseStore?.(maxBytes) ?? new MemoryStore(maxBytes);
    RESPONSE_CACHES.set(deps, store);
  }
  return store;
}

type AuthorizerOf = ReturnType<typeof authorizerBuilder>;

/**
 * What a route's reference resolved to: its compiled server, its service's handler, its
 * binding's name, or its hook with the binding's name.
 */
type ResolvedTarget = CompiledServer | ServiceHandler | string | ResolvedHook | undefined;

/** `build` once per key (an identity-keyed cache over the checked plans). */
function memoized<K extends object, V>(build: (key: K) => V): (key: K) => V {
  const built = new Map<K, V>();
  return (key) => {
    let value = built.get(key);
    if (value === undefined) {
      value = build(key);
      built.set(key, value);
    }
    return value;
  };
}
