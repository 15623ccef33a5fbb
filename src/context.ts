import type { JWTPayload } from 'jose';
import type { Reply } from './answer.js';
import type { Span } from './observability/tracing/tracing.js';
import type { Consumer } from './consumers/types.js';
import type { ClientInfo } from './platform.js';
import type { RateLimitOutcome } from './traffic/types.js';
import type { ResolvedClient } from './proxy/client-address.js';

/** Per-request state, created once at the gateway's entrance and read by every step. */
export interface RequestContext {
  readonly request: Request;
  readonly requestId: string;
  readonly method: string;
  /** Canonical path (router/canonical-path.ts): used both to route and to build upstream URLs. */
  readonly path: string;
  /** Raw query string including the leading `?`, or empty. */
  readonly search: string;
  /** Host (authority) the client addressed, as seen by the gateway. */
  readonly host: string;
  readonly client: ClientInfo;
  /** Who the client is under `gateway.trusted_proxies` (proxy/client-address.ts). */
  readonly clientAddress: ResolvedClient;
  readonly signal: AbortSignal;
  /** Path parameters of the matched route (`{name}` segments). */
  params: Readonly<Record<string, string>>;
  /** For routes ending in `/{.+}`: the path after the matched prefix, without a leading slash. */
  wildcardRest: string | undefined;
  /** Claims of the verified token, set by the authorization step. */
  claims: JWTPayload | undefined;
  /** The request's server span when tracing is on: steps make their spans its children. */
  readonly trace?: Span | undefined;
  /** The consumer an `api_key` authorizer identified (docs/TRAFFIC.md). */
  consumer?: Consumer | undefined;
  /** Rate-limit outcomes of this request, for the RateLimit fields (src/traffic/). */
  rateLimits?: RateLimitOutcome[] | undefined;
  /** Fields added to this request's access-log line (auth outcome, upstream status, detail). */
  readonly log: Record<string, unknown>;
  /**
   * The request as the adapter handed it over. While `request` is still this one, the adapter's
   * own view of its headers (ClientInfo.requestHeaders / rawRequestHeaders) describes it; a step
   * that replaced `request` (withRequest, a session's credentials) makes it stale.
   */
  readonly adapterRequest?: Request;
}

/** Answers one request; synchronous where nothing needs to wait (static responses). */
export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

/** One step of a route's compiled pipeline; calls `next` to continue. */
export type Step = (ctx: RequestContext, next: Handler) => Reply | Promise<Reply>;

/**
 * The same context with another request and query, for the steps after the one that calls it
 * (a WebSocket token moved into `Authorization`, a cache revalidation's conditional request).
 * Everything else, `log` and `claims` included, is read through to the original.
 */
export function withRequest(ctx: RequestContext, request: Request, search: string): RequestContext {
  const derived = Object.create(ctx) as RequestContext;
  Object.defineProperty(derived, 'request', { value: request });
  Object.defineProperty(derived, 'search', { value: search });
  return derived;
}

/** Builds a route's handler from its steps once, at compile time. */
export function composeSteps(steps: readonly Step[], last: Handler): Handler {
  return steps.reduceRight<Handler>((next, step) => (ctx) => step(ctx, next), last);
}
