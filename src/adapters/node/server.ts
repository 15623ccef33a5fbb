import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { replyToResponse } from '../../answer.js';
import type { Gateway } from '../../gateway.js';
import { createClientErrorHandler } from './client-errors.js';
import { clientInfoFor } from './client-info.js';
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
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  /** Stops accepting, lets in-flight requests finish (at most drainMs), then closes every socket. */
  close(drainMs?: number): Promise<void>;
}

export async function startNodeServer(gateway: Gateway, options: NodeServerOptions): Promise<RunningServer> {
  const listener = getRequestListener(
    // Only an HTTP/1.1 server is created here, so the bindings are always node:http's.
    (request, env) => {
      const { incoming, outgoing } = env as HttpBindings;
      return gateway.fetch(request, clientInfoFor(incoming, outgoing));
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
