import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { replyToResponse } from '../../answer.js';
import type { Gateway } from '../../gateway.js';
import { createClientErrorHandler } from './client-errors.js';
import { clientInfoFor } from './client-info.js';
import { withoutConnectionHeaders } from './http2-headers.js';
import { listenFront, wantsFront, type TlsFiles } from './tls-server.js';
import { attachUpgradeHandler } from './websocket.js';

/**
 * Serves a Gateway over node:http through @hono/node-server (the maintained adapter between
 * Node's req/res and Web-standard Request/Response). Bounded timeouts drop slow clients
 * (docs/SECURITY.md "Faults and load").
 */
export interface NodeServerOptions {
  readonly host: string;
  readonly port: number;
  readonly headersTimeoutMs?: number;
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
  /** Stops accepting, lets in-flight requests finish (at most drainMs), then closes every socket. */
  close(drainMs?: number): Promise<void>;
  /** Re-reads the TLS certificate and key (a no-op without TLS). */
  reloadTls(): Promise<void>;
}

export async function startNodeServer(gateway: Gateway, options: NodeServerOptions): Promise<RunningServer> {
  const listener = getRequestListener(
    // Only an HTTP/1.1 server is created here, so the bindings are always node:http's.
    (request, env) => {
      const { incoming, outgoing } = env as HttpBindings;
      const reply = gateway.fetch(request, clientInfoFor(incoming, outgoing));
      return incoming.httpVersionMajor === 2 ? withoutConnectionHeaders(reply) : reply;
    },
    // The adapter could not even build a Request (bad Host, backslash in the path): a 400
    // through the gateway's exit, like every other error.
    {
      errorHandler: () => replyToResponse(gateway.refuse('ERR_BAD_REQUEST', new Headers(), { address: '' })),
    },
  );
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs ?? 20_000,
      requestTimeout: options.requestTimeoutMs ?? 120_000,
      maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024,
      keepAliveTimeout: 5_000,
    },
    listener,
  );
  server.on('clientError', createClientErrorHandler(gateway));
  const upgrades = attachUpgradeHandler(server, gateway);

  if (wantsFront(options)) {
    const front = await listenFront(server, listener, options);
    return {
      url: front.url,
      server,
      reloadTls: front.reloadTls,
      close: (drainMs = 10_000) =>
        front.close(drainMs, () => {
          server.closeAllConnections();
          upgrades.closeAll();
        }),
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    server,
    reloadTls: () => Promise.resolve(),
    close: (drainMs = 10_000) =>
      new Promise<void>((resolve) => {
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
