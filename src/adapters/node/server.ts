import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Gateway } from '../../gateway.js';
import { createClientErrorHandler } from './client-errors.js';
import { answerConnect, answerDraining, answerHttp2Connect } from './direct-answers.js';
import { continueWhenBodyIsRead } from './expect-continue.js';
import { localAuthority } from './request-framing.js';
import { gatewayRequestListener } from './request-listener.js';
import { listenFront, wantsFront, type TlsFiles } from './tls-server.js';
import { attachUpgradeHandler } from './websocket.js';
import { listenForUrl } from './listen.js';

/**
 * Serves a Gateway over node:http (and HTTP/2) through Gatehouse's own request listener
 * (request-listener.ts: a lazy Web Request in, plain records or a piped Response out). Bounded timeouts drop slow clients
 * (docs/SECURITY.md "Faults and load"), and shutdown drains (docs/BEHAVIOUR.md "Hostile input").
 */
export interface NodeServerOptions {
  readonly host: string;
  readonly port: number;
  /** gateway.header_timeout_ms: the whole request head must arrive within it. */
  readonly headersTimeoutMs?: number;
  /** gateway.request_timeout_ms: the whole request (head and body) must arrive within it. */
  readonly requestTimeoutMs?: number;
  readonly maxHeaderBytes?: number;
  /** Serve HTTPS (HTTP/2 by ALPN beside HTTP/1.1) with these PEM files. */
  readonly tls?: TlsFiles | undefined;
  /** Accept HTTP/2 with prior knowledge on the cleartext port, beside HTTP/1.1. */
  readonly h2c?: boolean | undefined;
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  /**
   * Drains: stops accepting, closes idle keep-alive sockets at once, marks responses in flight
   * `Connection: close`, answers a new request on a still-open socket 503 + `Connection: close`,
   * and resolves when every connection is gone or, at the latest, after drainMs.
   */
  close(drainMs?: number): Promise<void>;
  /** Re-reads the TLS certificate and key (a no-op without TLS). */
  reloadTls(): Promise<void>;
}

/** How often node:http checks the header and request deadlines (its default, 30 s, makes a 20 s limit 20-50 s). */
const DEADLINE_CHECK_MS = 1_000;

export async function startNodeServer(gateway: Gateway, options: NodeServerOptions): Promise<RunningServer> {
  const listener = gatewayRequestListener(gateway);
  let draining = false;
  // Tracked per connection, not per request: at drain time a socket's current response is
  // `_httpMessage` (node:http's own field), so requests pay nothing for draining.
  const sockets = new Set<Socket>();

  const handle = (incoming: IncomingMessage, outgoing: ServerResponse): void => {
    if (draining) {
      answerDraining(gateway, incoming, outgoing);
      return;
    }
    // HTTP/1.0 may omit Host: it addressed this server (an HTTP/1.1 request without one is
    // refused by the gateway, see request-framing.ts).
    if (incoming.headers.host === undefined) incoming.headers.host = localAuthority(incoming.socket);
    listener(incoming, outgoing);
  };

  const headersTimeout = options.headersTimeoutMs ?? 20_000;
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: Math.max(options.requestTimeoutMs ?? 120_000, headersTimeout),
      connectionsCheckingInterval: DEADLINE_CHECK_MS,
      maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024,
      keepAliveTimeout: 5_000,
      // A missing Host is answered by the gateway in JSON (HTTP/1.1) or served (HTTP/1.0).
      requireHostHeader: false,
    },
    handle,
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', createClientErrorHandler(gateway));
  // `Expect: 100-continue`: the interim 100 goes out only when something reads the body, that
  // is after routing, auth and the size check passed; otherwise the final status goes out alone.
  server.on('checkContinue', (incoming: IncomingMessage, outgoing: ServerResponse) => {
    continueWhenBodyIsRead(incoming, outgoing);
    handle(incoming, outgoing);
  });
  server.on('connect', (request: IncomingMessage, socket: Socket) => answerConnect(gateway, request, socket));
  const upgrades = attachUpgradeHandler(server, gateway);

  if (wantsFront(options)) {
    const front = await listenFront(
      server,
      listener,
      (incoming, outgoing) => answerHttp2Connect(gateway, incoming, outgoing),
      options,
    );
    return {
      url: front.url,
      server,
      reloadTls: front.reloadTls,
      close: (drainMs = 10_000) => {
        draining = true;
        return front.close(drainMs, () => {
          server.closeAllConnections();
          upgrades.closeAll();
        });
      },
    };
  }

  const url = await listenForUrl(server, options.port, options.host);

  return {
    url,
    server,
    reloadTls: () => Promise.resolve(),
    close: (drainMs = 10_000) =>
      new Promise<void>((resolve) => {
        draining = true;
        const closeIdle = (): void => void setImmediate(() => server.closeIdleConnections());
        for (const socket of sockets) {
          const outgoing = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
          if (!outgoing) continue;
          // No reuse after this response: Connection: close if its head is still to go out;
          // else its socket is closed as soon as it is idle again (a request already sent on it
          // meanwhile is answered 503 + Connection: close by `handle`).
          if (!outgoing.headersSent) {
            outgoing.setHeader('connection', 'close');
            outgoing.shouldKeepAlive = false;
          }
          outgoing.once('close', closeIdle);
        }
        const force = setTimeout(() => {
          server.closeAllConnections();
          upgrades.closeAll();
        }, drainMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
