import { DEFAULT_LIMITS } from '../config/limits.js';
import type { Static, TObject } from '@sinclair/typebox';
import {
  NonEmpty,
  type IntegrationConfig,
  type RouteConfig,
  type RouteWithIntegration,
} from '../config/schema.js';
import type { Handler, RequestContext } from '../context.js';
import type { CompiledMapping } from '../mapping/index.js';
import { traceUpstreamClient } from '../observability/tracing/upstream.js';
import { apiKeyCredentials, routeApiKeyAuthorizer } from '../auth/authorizers/api-key.js';
import { ContextMappingSources } from '../mapping/context-sources.js';
import type { HeaderTarget } from '../mapping/compile.js';
import { compileWebSocketOptions } from '../proxy/websocket.js';
import {
  createProxyHandler,
  DEFAULT_UPSTREAM_HEADER_BYTES,
  DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS,
} from '../proxy/forward.js';
import type { CompiledServer } from '../proxy/targets.js';
import type { IntegrationDefinition, IntegrationDeps } from './definition.js';

/** `http_proxy`'s schema part: the alias of the `servers[]` entry it forwards to. */
const HTTP_PROXY_FIELDS = { server: NonEmpty };
type HttpProxyFields = Static<TObject<typeof HTTP_PROXY_FIELDS>>;
declare module '../config/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the part's fields
  interface IntegrationFields extends HttpProxyFields {}
}
export type HttpProxyIntegrationConfig = IntegrationConfig & { type: 'http_proxy' } & HttpProxyFields;

/**
 * `http_proxy` (and legacy `http`): the route's server, timeout, header rules and mapping are
 * resolved here once; the handler built by proxy/forward.ts does the per-request work.
 */
export const httpProxyIntegration: IntegrationDefinition<HttpProxyIntegrationConfig, CompiledServer> = {
  fields: HTTP_PROXY_FIELDS,
  reference: { field: 'server', table: 'servers' },
  create: createHttpProxyIntegration,
};

export function createHttpProxyIntegration(
  route: RouteWithIntegration<HttpProxyIntegrationConfig>,
  deps: IntegrationDeps,
  server: CompiledServer,
): Handler {
  const alias = server.alias;

  const mapping = deps.mappings.get(route);
  const logger = deps.platform.logger;
  const tracing = deps.platform.telemetry?.tracing;
  const apiKey = apiKeyRemoval(route, deps);
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
      mappedHeaderNames: [...(mapping?.headerNames ?? []), ...apiKey.headers],
      allowUnderscores: deps.config.gateway?.allow_underscores_in_headers,
      allowMethodOverride: route.allow_method_override,
      websocket: compileWebSocketOptions(route.websocket),
      hasQueryMapping: (mapping?.queryNames.length ?? 0) > 0 || apiKey.query !== undefined,
      ...(mapping || apiKey.query !== undefined
        ? {
            applyMapping: withoutKeyParameter(
              mapping ? mappingApplier(mapping, logger) : undefined,
              apiKey.query,
            ),
          }
        : {}),
    },
    tracing ? traceUpstreamClient(deps.platform.upstream, tracing, alias) : deps.platform.upstream,
    deps.platform.upgrade,
  );
}

function mappingApplier(
  mapping: CompiledMapping,
  logger: IntegrationDeps['platform']['logger'],
): (ctx: RequestContext, headers: HeaderTarget, query: URLSearchParams) => void {
  return (ctx, headers, query) => {
    const sources = new ContextMappingSources(ctx);
    mapping.apply(sources, headers, query, (name, reason) => {
      // The value itself is never logged: it may be a claim or a header the client controls.
      logger.warn('mapped value dropped', { requestId: ctx.requestId, name, reason });
    });
  };
}

/** An API key never reaches the upstream (docs/TRAFFIC.md): its header and parameter are removed. */
function apiKeyRemoval(
  route: Pick<RouteConfig, 'auth'>,
  deps: IntegrationDeps,
): { headers: string[]; query: string | undefined } {
  const def = routeApiKeyAuthorizer(deps.config, route);
  if (def === undefined) return { headers: [], query: undefined };
  const { header, query } = apiKeyCredentials(def);
  return { headers: [header], query };
}

type Applier = (ctx: RequestContext, headers: HeaderTarget, query: URLSearchParams) => void;

function withoutKeyParameter(apply: Applier | undefined, parameter: string | undefined): Applier {
  if (parameter === undefined) return apply as Applier;
  return (ctx, headers, query) => {
    query.delete(parameter);
    apply?.(ctx, headers, query);
  };
}
