import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts listening and resolves with the URL a client uses (`http://HOST:PORT`, IPv6 hosts in
 * brackets) once the socket is bound; rejects with the bind error (EADDRINUSE names the port
 * in `gatehouse start`'s message). Shared by the public server and the admin listener.
 * `exclusive`: in a node:cluster worker, bind a socket of this process's own instead of one the
 * primary shares with every worker that listens on the same address (docs/BEHAVIOUR.md "Several
 * processes").
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
