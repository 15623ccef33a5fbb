import { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamClient } from '../../platform.js';
import { originOf } from '../../url-parts.js';

/**
 * The Workers upstream client: the runtime's own `fetch`, which is the only outbound HTTP there
 * is on Workers (and already pools connections). Redirects are never followed (`manual` returns
 * the 3xx itself on Workers, not an opaque redirect), so they reach the client as sent.
 *
 * One AbortController per call joins the two reasons to stop: the client left (its reason is
 * rethrown as is) or no response headers within the timeout (ERR_UPSTREAM_TIMEOUT, 504). It
 * stays linked to the client signal after the headers, so a client leaving mid-body also
 * cancels the upstream body.
 */
export function createFetchUpstreamClient(fetchImpl: typeof fetch = globalThis.fetch): UpstreamClient {
  const send = fetchImpl.bind(globalThis);
  return async (request) => {
    const { signal } = request;
    if (signal.aborted) throw signal.reason;
    const origin = originOf(request.url);
    const controller = new AbortController();
    let timedOut = false;
    const onClientAbort = (): void => controller.abort(signal.reason);
    signal.addEventListener('abort', onClientAbort, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, request.timeoutMs);
    try {
      return await send(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: controller.signal,
        // Required by the Fetch standard for a stream body; Workers accept and ignore it.
        duplex: 'half',
      } as RequestInit);
    } catch (error) {
      signal.removeEventListener('abort', onClientAbort);
      if (timedOut) {
        throw new GatewayError('ERR_UPSTREAM_TIMEOUT', { detail: { origin, timeoutMs: request.timeoutMs } });
      }
      if (signal.aborted) throw signal.reason;
      // Refused, reset, DNS, TLS: the client sees 502, the log sees why.
      throw new GatewayError('ERR_UPSTREAM_UNAVAILABLE', {
        detail: { origin, upstreamError: (error as Error).name, message: (error as Error).message },
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  };
}
