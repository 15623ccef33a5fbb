import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts listening and resolves with the URL a client uses (`http://HOST:PORT`, IPv6 hosts in
 * brackets) once the socket is bound; rejects with the bind error (EADDRINUSE names the port
 * in `gatehouse start`'s message). Shared by the public server and the admin listener.
 * `exclusive` binds in this process even in a cluster worker: without it, node:cluster hands
 * the bind to the primary, which shares one socket per (host, port, n-th listen) among the
 * workers — so worker 1's `--admin-port 0` would be the same socket as worker 2's public
 * `--port 0`.
 */
export async function listenForUrl(
  server: Server,
  port: number,
  host: string | undefined,
  exclusive = false,
): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shownHost}:${address.port}`;
}

/**
 * Set on a bind error of the admin listener (start-gatehouse.ts), so `gatehouse start` names
 * `--admin-port`/`--admin-host` rather than the public port's flags: a bind error on port 0 or a
 * host that does not resolve carries no port to tell the two listeners apart by.
 */
export const ADMIN_LISTENER = Symbol.for('gatehouse.adminListener');

export function markAdminListenError(error: unknown): unknown {
  if (typeof error === 'object' && error !== null) (error as Record<symbol, boolean>)[ADMIN_LISTENER] = true;
  return error;
}
