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
 * try/catch and one place that decorates responses, so no path can forget CORS, the request
 * id or the error vocabulary.
 */
export interface Gateway {
  fetch(request: Request, client: ClientInfo): Promise<Response>;
}

/** `current()` is read once per request, so a reload swaps configs atomically between requests. */
export function createGateway(current: () => CompiledGateway, platform: Platform): Gateway {
  let inFlight = 0;
  const logger = platform.logger;
  const neverAborted = new AbortController().signal;

  return {
    async fetch(request, client) {
      const compiled = current();
      const started = platform.now();
      const requestId = pickRequestId(request.headers.get('x-request-id'));
      const { host, pathname, search } = splitRequestUrl(request.url);
      const log: Record<string, unknown> = {};
      let response: Response;
      let routeLabel: string | undefined;
      inFlight++;
      try {
        if (client.malformed !== undefined) {
          log.detail = { reason: client.malformed };
          response = renderError('ERR_BAD_REQUEST');
        } else if (inFlight > compiled.limits.maxConcurrentRequests) {
          response = renderError('ERR_OVERLOADED', { 'retry-after': '1' });
        } else if (request.url.length > compiled.limits.maxUrlLength) {
          response = renderError('ERR_URI_TOO_LONG');
        } else if (exceedsBodyLimit(request, compiled.limits.maxBodyBytes)) {
          // The body is never read, so the connection cannot be reused for another request.
          response = renderError('ERR_PAYLOAD_TOO_LARGE', { connection: 'close' });
        } else {
          const path = canonicalizePath(pathname);
          const method = request.method;
          if (compiled.cors && method === 'OPTIONS' && !compiled.router.hasExplicitMethod('OPTIONS', path)) {
            response = compiled.cors.preflight(request);
          } else {
            const match = compiled.router.match(method, path);
            if (match.kind === 'not-found') {
              response = renderError('ERR_NO_ROUTE');
            } else if (match.kind === 'method-not-allowed') {
              response = renderError('ERR_METHOD_NOT_ALLOWED', { allow: match.allow.join(', ') });
            } else {
              const route = match.value;
              routeLabel = `${route.method} ${route.path}`;
              const ctx: RequestContext = {
                request,
                requestId,
                method,
                path,
                search,
                host,
                client,
                signal: client.signal ?? neverAborted,
                params: match.params,
                wildcardRest: match.wildcardRest,
                claims: undefined,
                log,
              };
              response = await route.handler(ctx);
            }
          }
        }
      } catch (error) {
        response = errorResponse(error, log, client);
      } finally {
        inFlight--;
      }
      response = decorate(response, compiled, request, requestId);
      if (logger.level !== 'silent') {
        logger.info('request', {
          requestId,
          method: request.method,
          path: pathname + redactSearch(search),
          route: routeLabel,
          status: response.status,
          durationMs: platform.now() - started,
          client: client.address,
          ...log,
        });
      }
      return response;
    },
  };

  function errorResponse(error: unknown, log: Record<string, unknown>, client: ClientInfo): Response {
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
}

/** The one exit: CORS, X-Request-Id and X-Powered-By on every response that leaves the gateway. */
function decorate(
  response: Response,
  compiled: CompiledGateway,
  request: Request,
  requestId: string,
): Response {
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
  compiled.cors?.apply(request.headers.get('origin'), headers);
  return response;
}

function exceedsBodyLimit(request: Request, maxBodyBytes: number): boolean {
  const length = request.headers.get('content-length');
  return length !== null && Number(length) > maxBodyBytes;
}
