import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Reply } from '../../answer.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { UpgradeRequest, UpstreamUpgrader } from '../../platform.js';
import { SwitchedAnswer } from '../../switched-answer.js';
import { startRelay } from './websocket-relay.js';
import { NodeUpgradeClientInfo } from './websocket.js';

/**
 * The Node upgrader (docs/PROTOCOLS.md "WebSocket"): a fresh upstream connection per handshake
 * (node:http's `upgrade` event hands over the raw socket after the upstream's 101), then the
 * two sockets are piped as bytes. WebSocket frames are relayed unparsed, so close codes,
 * masking, fragmentation and extensions pass through as the two ends negotiated them, and
 * `pipe` gives backpressure in both directions.
 *
 * An upstream that answers anything but 101 is refused with 502 ERR_UPSTREAM_UPGRADE_REFUSED
 * (its answer is not passed on: the client asked for a WebSocket, not a page).
 */
export function createNodeUpgrader(): UpstreamUpgrader {
  return (request) => {
    const client = request.client;
    if (!(client instanceof NodeUpgradeClientInfo)) {
      // An upgrade that did not arrive through the `upgrade` path (HTTP/2, a test calling fetch).
      return Promise.reject(new GatewayError('ERR_WEBSOCKET_DISABLED'));
    }
    return handshake(request, client);
  };
}

function handshake(request: UpgradeRequest, client: NodeUpgradeClientInfo): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const url = new URL(request.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) headers[name] = value;
    const upstream: ClientRequest = send(url, { method: 'GET', headers, agent: false });
    let settled = false;
    const fail = (error: GatewayError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopWatching();
      upstream.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new GatewayError('ERR_UPSTREAM_TIMEOUT', { detail: { upstream: url.origin } })),
      request.timeoutMs,
    );
    const stopWatching = client.onDisconnect(() => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      upstream.destroy();
      reject(new Error('client disconnected'));
    });
    upstream.on('error', (error: NodeJS.ErrnoException) =>
      fail(
        new GatewayError('ERR_UPSTREAM_UNAVAILABLE', {
          detail: { upstream: url.origin, reason: error.code ?? error.message },
        }),
      ),
    );
    upstream.on('response', (response: IncomingMessage) => {
      response.resume();
      fail(
        new GatewayError('ERR_UPSTREAM_UPGRADE_REFUSED', {
          detail: { upstream: url.origin, upstreamStatus: response.statusCode },
          headers: { connection: 'close' },
        }),
      );
    });
    upstream.on('upgrade', (response: IncomingMessage, socket: Socket, head: Buffer) => {
      if (settled) {
        socket.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      stopWatching();
      client.switched = true;
      const requestId = request.headers.get('x-request-id') ?? '';
      client.socket.write(switchingProtocolsHead(response.rawHeaders, requestId));
      const relay = startRelay({
        client: client.socket,
        clientHead: client.head,
        upstream: socket,
        upstreamHead: head,
        idleTimeoutMs: request.idleTimeoutMs,
      });
      resolve(new SwitchedAnswer({}, relay));
    });
    upstream.end();
  });
}

/** The upstream's 101 as the client receives it: its own headers, plus the request id. */
function switchingProtocolsHead(rawHeaders: readonly string[], requestId: string): string {
  let head = 'HTTP/1.1 101 Switching Protocols\r\n';
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.toLowerCase() === 'x-request-id') continue;
    head += `${name}: ${rawHeaders[i + 1] as string}\r\n`;
  }
  if (requestId !== '') head += `x-request-id: ${requestId}\r\n`;
  return `${head}\r\n`;
}
