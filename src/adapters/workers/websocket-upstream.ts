import { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamUpgrader } from '../../platform.js';

/**
 * The Workers upgrader (docs/PROTOCOLS.md "WebSocket"): `fetch` with `Upgrade: websocket` makes
 * workerd open a WebSocket to the upstream, and returning its 101 Response (which carries the
 * `webSocket`) hands the client's socket to it: the runtime relays frames, backpressure and close
 * codes itself. Workers give the gateway no per-frame hook, so the route's idle timeout and the
 * byte counts of Node's relay do not apply there; the access-log line is written at the handshake.
 */
export function createFetchUpgrader(fetchImpl: typeof fetch = globalThis.fetch): UpstreamUpgrader {
  const send = fetchImpl.bind(globalThis);
  return async (request) => {
    const origin = new URL(request.url).origin;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), request.timeoutMs);
    let response: Response;
    try {
      response = await send(request.url, {
        method: 'GET',
        headers: request.headers,
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted) {
        throw new GatewayError('ERR_UPSTREAM_TIMEOUT', { detail: { origin, timeoutMs: request.timeoutMs } });
      }
      throw new GatewayError('ERR_UPSTREAM_UNAVAILABLE', {
        detail: { origin, message: (error as Error).message },
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
    if (response.status !== 101 || (response as { webSocket?: unknown }).webSocket == null) {
      await response.body?.cancel();
      throw new GatewayError('ERR_UPSTREAM_UPGRADE_REFUSED', {
        detail: { origin, upstreamStatus: response.status },
      });
    }
    return response;
  };
}
