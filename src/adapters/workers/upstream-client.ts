import { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamClient, UpstreamRequest } from '../../platform.js';
import { cleanHeadersClient, headersFromList, mutableCleanCopy } from '../../proxy/headers.js';
import { originOf } from '../../url-parts.js';

/**
 * The Workers upstream client: the runtime's own `fetch`, which is the only outbound HTTP there
 * is on Workers (and already pools connections). Redirects are never followed (`manual` returns
 * the 3xx itself on Workers, not an opaque redirect), so they reach the client as sent. The
 * response body is the runtime's stream, returned untouched: workerd pipes it to the client
 * natively, without a chunk passing through JavaScript.
 *
 * Two paths, because an AbortSignal costs a proxied request a measurable share of its CPU in
 * workerd (docs/ARCHITECTURE.md "Performance devices"):
 * - no request body (GET, HEAD, and the common API call): no signal at all. No response headers
 *   within the timeout is ERR_UPSTREAM_TIMEOUT at once; the `fetch` left behind is cancelled by
 *   the runtime when the request ends, and a late response's body is cancelled when it arrives.
 *   A client that goes away needs no listener either: the runtime cancels the request's pending
 *   `fetch` itself (docs/WORKERS.md "client goes away", test/workers/worker.test.ts);
 * - a request body: one AbortController joins the request's signal (the client leaving, or
 *   proxy/body-limit.ts stopping an undeclared body past its limit, which must abort the fetch
 *   before the body stream fails) and the timeout, and stays linked after the headers.
 */
export function createFetchUpstreamClient(fetchImpl: typeof fetch = globalThis.fetch): UpstreamClient {
  const send = fetchImpl.bind(globalThis);
  // Every response is a mutableCleanCopy: the proxy passes them on without checking each one.
  return cleanHeadersClient((request) =>
    request.body === null ? withoutBody(send, request) : withBody(send, request),
  );
}

type Send = typeof fetch;

function withoutBody(send: Send, request: UpstreamRequest): Promise<Response> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(timeoutError(request));
    }, request.timeoutMs);
    send(request.url, { method: request.method, headers: upstreamHeaders(request), redirect: 'manual' }).then(
      (response) => {
        clearTimeout(timer);
        if (timedOut) void response.body?.cancel().catch(() => undefined);
        // fetch's headers are immutable; the exit decorates them, so they are copied once, here.
        else resolve(mutableCleanCopy(response));
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(unavailableError(request, error));
      },
    );
  });
}

async function withBody(send: Send, request: UpstreamRequest): Promise<Response> {
  const { signal } = request;
  if (signal.aborted) throw signal.reason;
  const controller = new AbortController();
  let timedOut = false;
  const onClientAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', onClientAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.timeoutMs);
  try {
    const response = await send(request.url, {
      method: request.method,
      headers: upstreamHeaders(request),
      body: request.body,
      redirect: 'manual',
      signal: controller.signal,
      // Required by the Fetch standard for a stream body; Workers accept and ignore it.
      duplex: 'half',
    } as RequestInit);
    return mutableCleanCopy(response);
  } catch (error) {
    signal.removeEventListener('abort', onClientAbort);
    if (timedOut) throw timeoutError(request);
    if (signal.aborted) throw signal.reason;
    throw unavailableError(request, error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The upstream headers as `fetch` takes them most cheaply: the gateway's flat pair list (built
 * from the client's headers in one pass, adapters/workers/client-info.ts) as one plain record,
 * converted by the runtime in a single call; a repeated name is joined by `, ` as Headers joins
 * it (RFC 9110 §5.3). A request whose Headers object was already built (tracing injected into
 * it, a WebSocket upgrade) is sent as it is.
 */
function upstreamHeaders(request: UpstreamRequest): Record<string, string> | Headers {
  const list = request.headerList;
  if (list === undefined) return request.headers;
  // No prototype, so a header named `constructor` is a header like any other; `__proto__` (only
  // forwarded with gateway.allow_underscores_in_headers) is not a plain property even then.
  const record: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i]!;
    if (name === '__proto__') return headersFromList(list);
    const earlier = record[name];
    record[name] = earlier === undefined ? list[i + 1]! : `${earlier}, ${list[i + 1]!}`;
  }
  return record;
}

function timeoutError(request: UpstreamRequest): GatewayError {
  return new GatewayError('ERR_UPSTREAM_TIMEOUT', {
    detail: { origin: originOf(request.url), timeoutMs: request.timeoutMs },
  });
}

/** Refused, reset, DNS, TLS: the client sees 502, the log sees why. */
function unavailableError(request: UpstreamRequest, error: unknown): GatewayError {
  return new GatewayError('ERR_UPSTREAM_UNAVAILABLE', {
    detail: {
      origin: originOf(request.url),
      upstreamError: (error as Error).name,
      message: (error as Error).message,
    },
    cause: error,
  });
}
