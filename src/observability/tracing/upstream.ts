import { isGatewayError } from '../../errors/gateway-error.js';
import type { UpstreamClient } from '../../platform.js';
import { splitAuthority, splitOrigin } from '../../url-parts.js';
import { SPAN_KIND_CLIENT, SPAN_STATUS_ERROR } from './span-constants.js';
import type { Tracing } from './tracing.js';

/**
 * The upstream client of a route when tracing is on: each call is a CLIENT span, child of the
 * request's span, and the upstream receives that span as its parent in `traceparent` (the
 * client's own `tracestate` travels on). The span ends when the upstream's response headers
 * arrive (or the call fails); a streamed body is not included.
 */
export function traceUpstreamClient(
  client: UpstreamClient,
  tracing: Tracing,
  server: string,
): UpstreamClient {
  return (request) => {
    const span = tracing.startSpan(request.trace, request.method, SPAN_KIND_CLIENT);
    const recording = span.isRecording();
    if (recording) {
      const { origin, pathname } = splitForAttributes(request.url);
      span.setAttributes({
        'http.request.method': request.method,
        // Without the query string: it may carry credentials.
        'url.full': origin + pathname,
        ...serverAttributes(origin),
        'gatehouse.upstream': server,
      });
    }
    // Onto the upstream's pair list when it has one (Node): reading `headers` would build a Headers.
    const setHeader = request.setHeader?.bind(request);
    tracing.inject(span, setHeader ? { set: setHeader } : request.headers);
    if (!recording) {
      // Nothing to record: the span ends now (a no-op), and the call goes out untouched.
      span.end();
      return client(request);
    }
    return client(request).then(
      (reply) => {
        span.setAttribute('http.response.status_code', reply.status);
        if (reply.status >= 500) span.setStatus({ code: SPAN_STATUS_ERROR });
        span.end();
        return reply;
      },
      (error: unknown) => {
        const type = isGatewayError(error) ? error.code : 'client_closed';
        span.setAttribute('error.type', type);
        span.setStatus({ code: SPAN_STATUS_ERROR, message: type });
        span.end();
        throw error;
      },
    );
  };
}

/**
 * Every control-plane call (key sets, identity providers) as a CLIENT span of its own trace: a
 * key set fetch is shared by every request waiting for it, so it belongs to none of them. The
 * callee receives the span as parent in `traceparent`.
 */
export function traceControlPlaneFetch(plain: typeof fetch, tracing: Tracing): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const { origin, pathname } = splitForAttributes(request.url);
    const span = tracing.startSpan(undefined, request.method, SPAN_KIND_CLIENT, {
      'http.request.method': request.method,
      'url.full': origin + pathname,
      ...serverAttributes(origin),
      'gatehouse.call': 'control_plane',
    });
    const headers = new Headers(request.headers);
    tracing.inject(span, headers);
    try {
      const response = await plain(new Request(request, { headers }));
      if (span.isRecording()) {
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 500) span.setStatus({ code: SPAN_STATUS_ERROR });
      }
      return response;
    } catch (error) {
      span.setStatus({
        code: SPAN_STATUS_ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      span.end();
    }
  };
}

/** Origin and path without the query (it may carry credentials); no URL object per sampled call. */
function splitForAttributes(url: string): { origin: string; pathname: string } {
  const { origin, path } = splitOrigin(url);
  const query = path.search(/[?#]/);
  return { origin, pathname: query < 0 ? path : path.slice(0, query) };
}

/**
 * `server.address` (the host name or IP alone, IPv6 without brackets) and `server.port`
 * (explicit, else the scheme's default), as OpenTelemetry's HTTP client conventions name them.
 */
export function serverAttributes(origin: string): { 'server.address': string; 'server.port': number } {
  const at = origin.indexOf('//');
  const { host, port } = splitAuthority(
    at < 0 ? origin : origin.slice(at + 2),
    origin.startsWith('https:') ? 'https' : 'http',
  );
  return { 'server.address': host.startsWith('[') ? host.slice(1, -1) : host, 'server.port': Number(port) };
}
