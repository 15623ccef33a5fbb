import { createServer } from 'node:http';
import { errorAnswer } from '../../../errors/render.js';
import { createRequestListener } from '../request-listener.js';
import type { AdminHandlers } from './handlers.js';
import { listenForUrl } from '../listen.js';

/**
 * The admin listener (docs/OBSERVABILITY.md): its own node:http server on its own port, by
 * default on 127.0.0.1, serving only the registered handlers. It never shares the public port,
 * so metrics and health are not reachable by whoever can reach the API.
 */
export interface AdminListenOptions {
  readonly host: string;
  readonly port: number;
}

export interface RunningAdmin {
  readonly url: string;
  close(): Promise<void>;
}

export async function startAdminServer(
  handlers: AdminHandlers,
  options: AdminListenOptions,
): Promise<RunningAdmin> {
  const listener = createRequestListener(
    (request) => handlers.handle(request),
    // A fresh record: the listener adds Content-Length to it.
    () => errorAnswer('ERR_BAD_REQUEST', {}),
  );
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, listener);
  // Exclusive: in a cluster, the primary shares a port-0 socket by the order of `listen` calls,
  // so worker 2's public `--port 0` server would otherwise join worker 1's admin socket (half
  // the admin requests answered by the gateway, the public port served by worker 1 alone).
  const url = await listenForUrl(server, options.port, options.host, true);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
