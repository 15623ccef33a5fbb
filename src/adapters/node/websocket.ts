import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Gateway } from '../../gateway.js';
import type { ClientInfo } from '../../platform.js';
import { requestFramingProblem } from './request-framing.js';
import { writeResponseToSocket } from './socket-response.js';

/**
 * Node's `upgrade` path (docs/PROTOCOLS.md "WebSocket"). With an `upgrade` listener, node:http
 * hands every request carrying `Connection: Upgrade` here instead of to the request listener;
 * each one goes through the same gateway pipeline (routing, authorization, mapping) as a Web
 * Request. When the upstream switched protocols, the relay (websocket-upstream.ts) took the
 * socket over; otherwise the gateway's answer (401, 404, 426, 502…) is written to the socket
 * as a plain HTTP/1.1 response and the connection is closed.
 */
export function attachUpgradeHandler(server: Server, gateway: Gateway): { closeAll(): void } {
  // node:http forgets upgraded sockets, so closing the server must end them itself.
  const sockets = new Set<Duplex>();
  server.on('upgrade', (incoming: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const client = new NodeUpgradeClientInfo(incoming, socket, head);
    // Another protocol (`h2c`, …) is ignored as RFC 9110 §7.8 allows, and the request served as
    // usual; but its body is in the hands of this raw path, so one with a body is refused.
    if (!isWebSocketUpgradeHead(incoming) && hasBody(incoming)) {
      const answer = gateway.refuse('ERR_NOT_IMPLEMENTED', new Headers(), client);
      void writeResponseToSocket(socket, new Response(answer.body, answer));
      return;
    }
    const request = upgradeRequest(incoming, client.protocol);
    if (request === undefined) {
      const answer = gateway.refuse('ERR_BAD_REQUEST', new Headers(), client);
      void writeResponseToSocket(socket, new Response(answer.body, answer));
      return;
    }
    void Promise.resolve(gateway.fetch(request, client)).then(
      (response) => (client.switched ? undefined : writeResponseToSocket(socket, response)),
      () => socket.destroy(),
    );
  });
  return {
    closeAll: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

function isWebSocketUpgradeHead(incoming: IncomingMessage): boolean {
  return /(^|,)\s*websocket\s*(,|$)/i.test(incoming.headers.upgrade ?? '');
}

function hasBody(incoming: IncomingMessage): boolean {
  const length = incoming.headers['content-length'];
  return incoming.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The upgrade request as a body-less Web Request, or undefined when it cannot be one (no Host). */
function upgradeRequest(incoming: IncomingMessage, protocol: string): Request | undefined {
  const host = incoming.headers.host;
  const path = incoming.url ?? '';
  if (host === undefined || host === '' || !path.startsWith('/')) return undefined;
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  try {
    for (let i = 0; i < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
    return new Request(`${protocol}://${host}${path}`, { method: incoming.method ?? 'GET', headers });
  } catch {
    return undefined;
  }
}

/**
 * The connection of an upgrade request. The relay reads `socket` and `head` (bytes the client
 * sent after its handshake) and sets `switched` once it owns the socket.
 */
export class NodeUpgradeClientInfo implements ClientInfo {
  readonly address: string;
  readonly protocol: string;
  /** The listening port, for `X-Forwarded-Port` as on every other request (never the Host's port). */
  readonly localPort: number | undefined;
  readonly malformed: string | undefined;
  switched = false;
  #controller: AbortController | undefined;

  constructor(
    incoming: IncomingMessage,
    readonly socket: Duplex,
    readonly head: Buffer,
  ) {
    this.address = incoming.socket.remoteAddress ?? '';
    this.protocol = (incoming.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    this.localPort = incoming.socket.localPort;
    const problem = requestFramingProblem(incoming);
    this.malformed = typeof problem === 'string' ? problem : problem?.reason;
  }

  get disconnected(): boolean {
    return !this.switched && this.socket.destroyed;
  }

  onDisconnect(listener: () => void): () => void {
    if (this.socket.destroyed) {
      listener();
      return () => undefined;
    }
    const onClose = (): void => {
      if (!this.switched) listener();
    };
    this.socket.once('close', onClose);
    return () => this.socket.off('close', onClose);
  }

  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    this.onDisconnect(() => controller.abort(new Error('client disconnected')));
    return controller.signal;
  }
}
