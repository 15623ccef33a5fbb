import type { CompiledGateway } from './config/compile.js';
import type { RequestContext } from './context.js';
import { isGatewayError } from './errors/gateway-error.js';
import { renderError, renderGatewayError } from './errors/render.js';
import { redactSearch } from './observability/logger.js';
import { pickRequestId } from './observability/request-id.js';
import type { ClientInfo, Platform } from './platform.js';
import { canonicalizePath } from './router/canonical-path.js';
import { splitRequestUrl } from './url-parts.js';

/**
 * The request pipeline of behaviour.md: request id → canonical path → CORS preflight → route →
 * the route's compiled steps (auth, hooks, integration) → the one exit. There is exactly one
 * error boundary and one place that decorates responses, so no path can forget CORS, the
 * request id or the error vocabulary.
 *
 * `fetch` answers synchronously when nothing on the way is asynchronous (static routes, every
 * gateway-generated error): both runtimes accept a plain Response, and skipping a promise per
 * request is measurable on Node (docs/BENCHMARKS.md).
 */
export interface Gateway {
  fetch(request: Request, client: ClientInfo): Response | Promise<Response>;
}

/** One request's state for the exit (decoration and the access-log line). */
interface Exchange {
  readonly request: Request;
  readonly client: ClientInfo;
  readonly compiled: CompiledGateway;
  readonly requestId: string;
  readonly started: number;
  readonly pathname: string;
  readonly search: string;
  readonly log: Record<string, unknown>;
  routeLabel: string | undefined;
}

/** `current()` is read once per request, so a reload swaps configs atomically between requests. */
export function createGateway(current: () => CompiledGateway, platform: Platform): Gateway {
  let inFlight = 0;
  const logger = platform.logger;
  const neverAborted = new AbortController().signal;

  /** Everything between the entrance and the exit; may throw or reject (the caller catches). */
  function dispatch(exchange: Exchange, host: string): Response | Promise<Response> {
    const { request, client, compiled, log } = exchange;
    const limits = compiled.limits;
    if (client.malformed !== undefined) {
      log.detail = { reason: client.malformed };
      return renderError('ERR_BAD_REQUEST');
    }
    if (inFlight > limits.maxConcurrentRequests) return renderError('ERR_OVERLOADED', { 'retry-after': '1' });
    if (request.url.length > limits.maxUrlLength) return renderError('ERR_URI_TOO_LONG');
    if (exceedsBodyLimit(request, limits.maxBodyBytes)) {
      // The body is never read, so the connection cannot be reused for another request.
      return renderError('ERR_PAYLOAD_TOO_LARGE', { connection: 'close' });
    }
    const path = canonicalizePath(exchange.pathname);
    const method = request.method;
    if (compiled.cors && method === 'OPTIONS' && !compiled.router.hasExplicitMethod('OPTIONS', path)) {
      return compiled.cors.preflight(request);
    }
    const match = compiled.router.match(method, path);
    if (match.kind === 'not-found') return renderError('ERR_NO_ROUTE');
    if (match.kind === 'method-not-allowed') {
      return renderError('ERR_METHOD_NOT_ALLOWED', { allow: match.allow.join(', ') });
    }
    const route = match.value;
    exchange.routeLabel = route.label;
    const ctx: RequestContext = {
      request,
      requestId: exchange.requestId,
      method,
      path,
      search: exchange.search,
      host,
      client,
      // A getter: the adapter creates its abort signal only for steps that ask (the proxy).
      get signal() {
        return client.signal ?? neverAborted;
      },
      params: match.params,
      wildcardRest: match.wildcardRest,
      claims: undefined,
      log,
    };
    return route.handler(ctx);
  }

  /** The one exit: every response, success or error, leaves through here exactly once. */
  function finish(exchange: Exchange, response: Response): Response {
    inFlight--;
    const decorated = decorate(response, exchange);
    if (logger.level !== 'silent') {
      logger.info('request', {
        requestId: exchange.requestId,
        method: exchange.request.method,
        path: exchange.pathname + redactSearch(exchange.search),
        route: exchange.routeLabel,
        status: decorated.status,
        durationMs: platform.now() - exchange.started,
        client: exchange.client.address,
        ...exchange.log,
      });
    }
    return decorated;
  }

  function errorResponse(error: unknown, exchange: Exchange): Response {
    const { log, client } = exchange;
    if (isGatewayError(error)) {
      log.code = error.code;
      if (error.detail) log.detail = error.detail;
      return renderGatewayError(error);
    }
    if (client.signal?.aborted) {
      // The client went away and the upstream call was aborted with it: nobody reads this answer,
      // and it is not a gateway fault, so it is logged as such rather than as a 500.
      log.code = 'CLIENT_CLOSED_REQUEST';
      return new Response(null, { status: 499 });
    }
    // A bug in one request is a 500 for that request only (security.md "Faults and load").
    log.code = 'ERR_INTERNAL';
    log.detail = { message: error instanceof Error ? error.message : String(error) };
    logger.error('unexpected failure', { stack: error instanceof Error ? error.stack : undefined });
    return renderError('ERR_INTERNAL');
  }

  return {
    fetch(request, client) {
      const { host, pathname, search } = splitRequestUrl(request.url);
      const exchange: Exchange = {
        request,
        client,
        compiled: current(),
        requestId: pickRequestId(request.headers.get('x-request-id')),
        started: platform.now(),
        pathname,
        search,
        log: {},
        routeLabel: undefined,
      };
      inFlight++;
      let result: Response | Promise<Response>;
      try {
        result = dispatch(exchange, host);
      } catch (error) {
        return finish(exchange, errorResponse(error, exchange));
      }
      if (result instanceof Promise) {
        return result.then(
          (response) => finish(exchange, response),
          (error: unknown) => finish(exchange, errorResponse(error, exchange)),
        );
      }
      return finish(exchange, result);
    },
  };
}

/** CORS, X-Request-Id and X-Powered-By on every response that leaves the gateway. */
function decorate(response: Response, exchange: Exchange): Response {
  const { compiled, requestId } = exchange;
  let headers = response.headers;
  try {
    headers.set('x-request-id', requestId);
  } catch {
    // Responses from fetch() have immutable headers; copy once so they can be decorated.
    response = new Response(response.body, response);
    headers = response.headers;
    headers.set('x-request-id', requestId);
  }
  if (compiled.poweredBy) headers.set('x-powered-by', 'Gatehouse');
  else headers.delete('x-powered-by');
  compiled.cors?.apply(exchange.request.headers.get('origin'), headers);
  return response;
}

function exceedsBodyLimit(request: Request, maxBodyBytes: number): boolean {
  const length = request.headers.get('content-length');
  return length !== null && Number(length) > maxBodyBytes;
}
