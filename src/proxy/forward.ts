import { Answer, type Reply } from '../answer.js';
import type { RequestContext } from '../context.js';
import { isGatewayError } from '../errors/gateway-error.js';
import type { UpstreamClient, UpstreamRequest, UpstreamUpgrader } from '../platform.js';
import { limitBodySize } from './body-limit.js';
import {
  buildUpstreamHeaderList,
  buildUpstreamHeaders,
  cleanResponseHeaders,
  HeaderPairs,
  headersFromList,
  compileRequestDrops,
  isCleanHeadersClient,
  withMutableCleanHeaders,
} from './headers.js';
import type { HeaderPolicyOptions } from './request-header-policy.js';
import type { HeaderTarget } from '../mapping/compile.js';
import type { CompiledServer } from './targets.js';
import { mayRetry } from './retry.js';
import { buildUpstreamUrl, upstreamPath, type UpstreamBase } from './upstream-url.js';
import {
  compileWebSocketOptions,
  isWebSocketUpgrade,
  relayUpgrade,
  type WebSocketOptions,
} from './websocket.js';
import { rewriteUpstreamLocations } from './location-rewrite.js';
import { ANSWER_STATUS } from '../errors/statuses.js';

export interface ProxyRouteOptions extends HeaderPolicyOptions {
  readonly server: CompiledServer;
  /** Route `timeout_ms`, else the server's (docs/CONFIG.md). */
  readonly timeoutMs: number;
  /** Route `idle_timeout_ms`, else the server's, else 60 s: longest silence mid-body. */
  readonly idleTimeoutMs?: number;
  /** gateway.max_upstream_header_bytes (default 64 KiB). */
  readonly maxHeaderBytes?: number;
  /** Route `rewrite_location` (default true): see proxy/location-rewrite.ts. */
  readonly rewriteLocation?: boolean;
  readonly stripAuthorization: boolean;
  /** Header names mapping sets (any case); removed from the client's headers first. */
  readonly mappedHeaderNames: readonly string[];
  /** gateway.max_body_bytes: an undeclared (chunked) request body is cut off past it with 413. */
  readonly maxBodyBytes: number;
  /** The route's `websocket` setting (docs/PROTOCOLS.md); absent means on, with defaults. */
  readonly websocket?: WebSocketOptions;
}

export interface ProxyHandlerOptions extends ProxyRouteOptions {
  /** Sets mapped headers and query parameters on the upstream request. */
  readonly applyMapping?: (ctx: RequestContext, headers: HeaderTarget, query: URLSearchParams) => void;
  /** Whether `applyMapping` touches the query; if not, the raw query string is forwarded untouched. */
  readonly hasQueryMapping: boolean;
}

export const DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_UPSTREAM_HEADER_BYTES = 64 * 1024;

/**
 * Given to header-only mappings in place of the query. Nothing reads it, so it never needs a
 * fresh instance per request.
 */
const UNUSED_QUERY = new URLSearchParams();

/** The outgoing body of a request that carries none (shared: it is only read). */
const NO_BODY: { readonly body: null } = { body: null };

/**
 * The `http_proxy` integration of one route, built at compile time (docs/BEHAVIOUR.md "6. http_proxy").
 * Failures of the upstream call propagate as the client's GatewayErrors (502/504), or as the
 * client signal's reason when the client went away.
 */
export function createProxyHandler(
  options: ProxyHandlerOptions,
  upstream: UpstreamClient,
  upgrader?: UpstreamUpgrader,
): (ctx: RequestContext) => Promise<Reply> {
  const { server, timeoutMs, applyMapping, hasQueryMapping, maxBodyBytes } = options;
  const drops = compileRequestDrops(options);
  const limits: UpstreamLimits = {
    timeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS,
    maxHeaderBytes: options.maxHeaderBytes ?? DEFAULT_UPSTREAM_HEADER_BYTES,
  };
  const rewriteLocation = options.rewriteLocation ?? true;
  const websocket = options.websocket ?? compileWebSocketOptions(undefined);
  // A client declared clean (Workers' fetch client) hands over clean, mutable headers: no check per response.
  const cleanClient = isCleanHeadersClient(upstream);

  return async (ctx) => {
    // The adapter's header reader (Node) spares the framework building the request's Headers.
    // A request a step replaced (withRequest, session credentials) is read as that step built it.
    const adapter = ctx.request === ctx.adapterRequest ? ctx.client : undefined;
    // The raw lines first: a reader built on them (Workers) then answers the reads below from them.
    const raw = adapter?.rawRequestHeaders;
    const incoming = adapter?.requestHeaders ?? ctx.request.headers;
    const upgrading = isWebSocketUpgrade(ctx.method, incoming);
    let headers: Headers | string[];
    let query: URLSearchParams | undefined;
    if (raw !== undefined && !upgrading) {
      const list = buildUpstreamHeaderList(raw, incoming, drops, ctx);
      if (applyMapping !== undefined) {
        if (hasQueryMapping) query = new URLSearchParams(ctx.search);
        applyMapping(ctx, new HeaderPairs(list), query ?? UNUSED_QUERY);
      }
      headers = list;
    } else {
      const built = buildUpstreamHeaders(ctx.request.headers, drops, ctx);
      if (applyMapping !== undefined) {
        if (hasQueryMapping) query = new URLSearchParams(ctx.search);
        applyMapping(ctx, built, query ?? UNUSED_QUERY);
      }
      headers = built;
    }
    const path = upstreamPath(ctx.path, ctx.wildcardRest);
    let base = server.next();
    server.retryBudget?.noteRequest();
    const outgoing = upgrading ? NO_BODY : requestBody(ctx, incoming, maxBodyBytes);

    ctx.log.upstream = server.alias;
    const started = performance.now();
    let response: Reply;
    for (let attempt = 0; ; attempt++) {
      const url = buildUpstreamUrl(base, path, ctx.search, query);
      try {
        response = upgrading
          ? await relayUpgrade(ctx, url, headers as Headers, websocket, timeoutMs, upgrader)
          : await upstream(new UpstreamCall(ctx, url, headers, outgoing, limits, server.http2));
      } catch (error) {
        ctx.log.upstreamMs = elapsedMs(started);
        // Only the upstream's own failures count against it; a client leaving mid-upload says nothing about it.
        const clientLeft = ctx.client.disconnected ?? ctx.signal.aborted;
        const unreachable = isGatewayError(error) && error.code === 'ERR_UPSTREAM_UNAVAILABLE' && !clientLeft;
        server.finish(base, unreachable ? 'unreachable' : 'other');
        const next =
          attempt < server.retries && unreachable && mayRetry(error, ctx.method, outgoing.body !== null)
            ? otherUrl(server, base)
            : undefined;
        if (next === undefined) throw error;
        base = next;
        ctx.log.retries = attempt + 1;
        continue;
      }
      server.finish(base, 'ok');
      break;
    }
    ctx.log.upstreamMs = elapsedMs(started);
    ctx.log.upstreamStatus = response.status;
    // A 101 is the runtime's own WebSocket hand-over (Workers): passed on untouched.
    if (response.status === ANSWER_STATUS.switchingProtocols) return response;
    const reply =
      response instanceof Answer || (cleanClient && !upgrading) ? response : withCleanHeaders(response);
    return rewriteLocation ? rewriteUpstreamLocations(reply, base, ctx) : reply;
  };
}

/** Another URL of the server for a retry, when one is up and the budget has room. */
function otherUrl(server: CompiledServer, failed: UpstreamBase): UpstreamBase | undefined {
  if (!server.retryBudget?.tryAcquire()) return undefined;
  try {
    return server.next(failed);
  } catch {
    // No other URL is up (ERR_UPSTREAM_POOL_DOWN): the first attempt's failure stands.
    return undefined;
  }
}

/**
 * GET and HEAD carry no body upstream. `Content-Length: 0` is answered without touching
 * `request.body`, which some adapters (the Node one) create lazily at a cost.
 */
function requestBody(
  ctx: RequestContext,
  incoming: Pick<Headers, 'get'>,
  maxBodyBytes: number,
): { body: ReadableStream<Uint8Array> | null; signal?: AbortSignal } {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') return NO_BODY;
  const declared = incoming.get('content-length');
  if (declared === '0') return { body: null };
  const body = ctx.request.body;
  // A declared length was already checked against the limit; only undeclared sizes are counted.
  if (body === null || declared !== null) return { body };
  return limitBodySize(body, maxBodyBytes, ctx.signal);
}

/**
 * Removes hop-by-hop headers and guarantees mutable headers: the gateway's exit adds CORS and
 * request-id headers afterwards. The platforms' clients hand over clean, mutable headers
 * (platform.ts UpstreamClient); a client that does not (a test's) gets an immutable `fetch`
 * response copied once here.
 */
function withCleanHeaders(response: Response): Response {
  try {
    cleanResponseHeaders(response.headers);
    return response;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  return withMutableCleanHeaders(response);
}

function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

/**
 * One upstream request. A class so `signal` can be lazy without a getter in an object literal
 * (a per-request getter gives every request its own hidden class; see gateway.ts RouteContext):
 * a client that offers `onDisconnect` (Node) never needs an AbortSignal created at all.
 */
interface UpstreamLimits {
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxHeaderBytes: number;
}

class UpstreamCall implements UpstreamRequest {
  readonly method: string;
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxHeaderBytes: number;
  readonly abortResponse: ((reason: string) => void) | undefined;
  readonly sendTrailers: ((trailers: Readonly<Record<string, string>>) => void) | undefined;
  readonly body: ReadableStream<Uint8Array> | null;
  #headers: Headers | undefined;
  #headerList: string[] | undefined;
  readonly onDisconnect: ((listener: () => void) => () => void) | undefined;
  readonly trace: RequestContext['trace'];
  readonly #ctx: RequestContext;
  readonly #limitSignal: AbortSignal | undefined;
  readonly http2: boolean;

  constructor(
    ctx: RequestContext,
    readonly url: string,
    headers: Headers | string[],
    outgoing: { body: ReadableStream<Uint8Array> | null; signal?: AbortSignal },
    limits: UpstreamLimits,
    http2: boolean,
  ) {
    this.http2 = http2;
    if (Array.isArray(headers)) this.#headerList = headers;
    else this.#headers = headers;
    this.method = ctx.method;
    this.timeoutMs = limits.timeoutMs;
    this.idleTimeoutMs = limits.idleTimeoutMs;
    this.maxHeaderBytes = limits.maxHeaderBytes;
    const client = ctx.client;
    this.abortResponse = client.abortResponse ? (reason) => client.abortResponse?.(reason) : undefined;
    this.sendTrailers = client.acceptsTrailers ? (trailers) => client.sendTrailers?.(trailers) : undefined;
    this.body = outgoing.body;
    this.#ctx = ctx;
    this.#limitSignal = outgoing.signal;
    this.trace = ctx.trace;
    // A size-limited body aborts through its own signal, so only then is the signal required.
    this.onDisconnect =
      outgoing.signal === undefined && ctx.client.onDisconnect
        ? (listener) => ctx.client.onDisconnect?.(listener) ?? (() => undefined)
        : undefined;
  }

  get signal(): AbortSignal {
    return this.#limitSignal ?? this.#ctx.signal;
  }

  /** Built from the pair list on first read (tracing injects here); the list is then retired. */
  get headers(): Headers {
    if (this.#headers === undefined) {
      this.#headers = headersFromList(this.#headerList ?? []);
      this.#headerList = undefined;
    }
    return this.#headers;
  }

  get headerList(): readonly string[] | undefined {
    return this.#headerList;
  }

  /**
   * Sets one header on the call (tracing's `traceparent`, a step's own header): appended to the
   * pair list while there is one, so no Headers object is built for it; else set on `headers`.
   */
  setHeader(name: string, value: string): void {
    if (this.#headerList !== undefined) new HeaderPairs(this.#headerList).set(name, value);
    else this.headers.set(name, value);
  }
}
