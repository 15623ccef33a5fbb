import { DEFAULT_LIMITS } from '../config/limits.js';
import type { HttpProxyIntegrationConfig, RouteWithIntegration } from '../config/schema.js';
import type { Handler, RequestContext } from '../context.js';
import { compileMapping, type CompiledMapping } from '../mapping/index.js';
import type { MappingSources } from '../mapping/index.js';
import { compileWebSocketOptions } from '../proxy/websocket.js';
import {
  createProxyHandler,
  DEFAULT_UPSTREAM_HEADER_BYTES,
  DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS,
} from '../proxy/forward.js';
import type { IntegrationDefinition, IntegrationDeps } from './definition.js';

/**
 * `http_proxy` (and legacy `http`): the route's server, timeout, header rules and mapping are
 * resolved here once; the handler built by proxy/forward.ts does the per-request work.
 */
export const httpProxyIntegration: IntegrationDefinition<HttpProxyIntegrationConfig> = {
  required: ['server'],
  reference: { field: 'server', table: 'servers' },
  create: createHttpProxyIntegration,
};

export function createHttpProxyIntegration(
  route: RouteWithIntegration<HttpProxyIntegrationConfig>,
  deps: IntegrationDeps,
): Handler {
  const alias = route.integration.server;
  const server = deps.servers.get(alias);
  // The checker refuses an alias no `servers` entry has; a map lookup still needs the branch.
  if (!server) throw new Error(`http_proxy route ${route.method} ${route.path}: unknown server "${alias}"`);

  const mapping = compileMapping(route.mapping, route.variables, deps.config.variables);
  const logger = deps.platform.logger;
  return createProxyHandler(
    {
      server,
      timeoutMs: route.timeout_ms ?? server.timeoutMs,
      idleTimeoutMs:
        route.idle_timeout_ms ??
        deps.config.servers?.find((s) => s.alias === alias)?.idle_timeout_ms ??
        DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS,
      maxHeaderBytes: deps.config.gateway?.max_upstream_header_bytes ?? DEFAULT_UPSTREAM_HEADER_BYTES,
      rewriteLocation: route.rewrite_location ?? true,
      stripAuthorization: route.strip_authorization ?? false,
      maxBodyBytes: deps.config.gateway?.max_body_bytes ?? DEFAULT_LIMITS.maxBodyBytes,
      mappedHeaderNames: mapping?.headerNames ?? [],
      allowUnderscores: deps.config.gateway?.allow_underscores_in_headers,
      allowMethodOverride: route.allow_method_override,
      hasQueryMapping: (mapping?.queryNames.length ?? 0) > 0,
      websocket: compileWebSocketOptions(route.websocket),
      ...(mapping ? { applyMapping: mappingApplier(mapping, logger) } : {}),
    },
    deps.platform.upstream,
    deps.platform.upgrade,
  );
}

function mappingApplier(
  mapping: CompiledMapping,
  logger: IntegrationDeps['platform']['logger'],
): (ctx: RequestContext, headers: Headers, query: URLSearchParams) => void {
  return (ctx, headers, query) => {
    const sources = new ContextMappingSources(ctx);
    mapping.apply(sources, headers, query, (name, reason) => {
      // The value itself is never logged: it may be a claim or a header the client controls.
      logger.warn('mapped value dropped', { requestId: ctx.requestId, name, reason });
    });
  };
}

/**
 * The values a mapping reads; the query is parsed only if a template reads it. A class so the
 * lazy getter lives on the prototype (see gateway.ts RouteContext).
 */
class ContextMappingSources implements MappingSources {
  #query: URLSearchParams | undefined;
  constructor(private readonly ctx: RequestContext) {}
  get headers(): Headers {
    return this.ctx.request.headers;
  }
  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.ctx.search);
    return this.#query;
  }
  get claims(): RequestContext['claims'] {
    return this.ctx.claims;
  }
  get params(): Readonly<Record<string, string>> {
    return this.ctx.params;
  }
}
