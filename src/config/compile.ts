import { createAuthorizers } from '../auth/registry.js';
import type { Authorizer } from '../auth/types.js';
import { compileCors, type CompiledCors } from '../cors/index.js';
import { composeSteps, type Handler, type Step } from '../context.js';
import { integrationFactory, type IntegrationDeps } from '../integrations/registry.js';
import { createStaticHandler } from '../integrations/static.js';
import { createAuthorizeStep } from '../pipeline/authorize.js';
import type { Platform } from '../platform.js';
import { compileServer, type CompiledServer } from '../proxy/targets.js';
import { createRouter, type Router } from '../router/router.js';
import type { LoadedConfig } from './load.js';
import { ConfigInvalidError, configError, type ConfigProblem } from './problems.js';
import type { GatewayConfig, RouteConfig, RouteMethod } from './schema.js';

/**
 * Compiles a validated config into the immutable structure that serves requests
 * (config.md step 4): the route tree, one pipeline per route (only the steps the route uses),
 * authorizers with their key sets, CORS header strings, the limits. Requests only read it.
 */
export interface CompiledRoute {
  readonly index: number;
  readonly method: RouteMethod;
  readonly path: string;
  readonly handler: Handler;
}

export interface GatewayLimits {
  readonly maxBodyBytes: number;
  readonly maxUrlLength: number;
  readonly maxConcurrentRequests: number;
}

export interface CompiledGateway {
  readonly config: GatewayConfig;
  readonly router: Router<CompiledRoute>;
  readonly cors: CompiledCors | undefined;
  readonly poweredBy: boolean;
  readonly limits: GatewayLimits;
  readonly authorizers: ReadonlyMap<string, Authorizer>;
  readonly warnings: readonly ConfigProblem[];
  /** Fetches remote key sets so the first protected request is not slow. Never rejects. */
  prefetch(): Promise<void>;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxBodyBytes: 10 * 1024 * 1024,
  maxUrlLength: 8 * 1024,
  maxConcurrentRequests: 10_000,
};

export function compileGateway(loaded: LoadedConfig, platform: Platform): CompiledGateway {
  const { config } = loaded;
  const authorizers = createAuthorizers(config, platform);
  const servers = new Map<string, CompiledServer>(
    (config.servers ?? []).map((server) => [server.alias, compileServer(server)]),
  );
  const deps: IntegrationDeps = { config, platform, authorizers, servers };

  const problems: ConfigProblem[] = [];
  const routes = config.paths.map((route, index) => ({
    method: route.method,
    path: route.path,
    value: {
      index,
      method: route.method,
      path: route.path,
      handler: compileRouteHandler(route, index, deps, problems),
    },
  }));
  if (problems.length > 0) throw new ConfigInvalidError(problems);

  const gateway = config.gateway;
  return {
    config,
    router: createRouter(routes),
    cors: config.cors ? compileCors(config.cors) : undefined,
    poweredBy: gateway?.powered_by ?? true,
    limits: {
      maxBodyBytes: gateway?.max_body_bytes ?? DEFAULT_LIMITS.maxBodyBytes,
      maxUrlLength: gateway?.max_url_length ?? DEFAULT_LIMITS.maxUrlLength,
      maxConcurrentRequests: gateway?.max_concurrent_requests ?? DEFAULT_LIMITS.maxConcurrentRequests,
    },
    authorizers,
    warnings: loaded.warnings,
    prefetch: async () => {
      await Promise.all([...authorizers.values()].map((a) => a.prefetch()));
    },
  };
}

function compileRouteHandler(
  route: RouteConfig,
  index: number,
  deps: IntegrationDeps,
  problems: ConfigProblem[],
): Handler {
  const steps: Step[] = [];
  if (route.auth !== undefined && route.auth !== false) {
    const name = route.auth === true ? 'default' : route.auth;
    const authorizer = deps.authorizers.get(name);
    // Validation refuses unknown authorizers; this guard keeps the route closed if it ever slips.
    if (!authorizer)
      problems.push(configError(`/paths/${index}/auth`, `authorizer "${name}" is not defined`));
    else steps.push(createAuthorizeStep(authorizer, route.scopes));
  }
  if (route.pre_process) {
    problems.push(
      configError(`/paths/${index}/pre_process`, 'pre_process hooks are not available in this build yet'),
    );
  }
  return composeSteps(steps, integrationHandler(route, index, deps, problems));
}

function integrationHandler(
  route: RouteConfig,
  index: number,
  deps: IntegrationDeps,
  problems: ConfigProblem[],
): Handler {
  if (!route.integration) return createStaticHandler(route);
  const factory = integrationFactory(route.integration.type);
  if (factory) return factory(route, deps);
  problems.push(
    configError(
      `/paths/${index}/integration/type`,
      `integration type "${route.integration.type}" is not available in this build yet`,
    ),
  );
  return () => Promise.reject(new Error('unreachable: config refused'));
}
