import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Relay, RelayStats } from '../../switched-answer.js';

/** After one side closed, the other gets this long to finish its own close handshake. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Close frames (RFC 6455 §5.5.1) with code 1001 "going away" for an idle relay: unmasked toward
 * the client (a server's frame), masked toward the upstream (a client's frame must be).
 * Silence in both directions means no frame is half-sent, so one can be added safely.
 */
const IDLE_CLOSE_TO_CLIENT = Buffer.from([0x88, 0x02, 0x03, 0xe9]);
function idleCloseToUpstream(): Buffer {
  const mask = [0x5a, 0xc3, 0x17, 0x8e];
  return Buffer.from([0x88, 0x82, ...mask, 0x03 ^ mask[0]!, 0xe9 ^ mask[1]!]);
}

export interface RelayEnds {
  readonly client: Duplex;
  /** Bytes the client sent after its handshake, before the relay started. */
  readonly clientHead: Buffer;
  readonly upstream: Socket;
  readonly upstreamHead: Buffer;
  readonly idleTimeoutMs: number;
}

/**
 * Pipes the two sockets both ways (pipe pauses the faster side while the slower one's buffer is
 * full), closes both after `idleTimeoutMs` without traffic in either direction, and reports once
 * when both are closed: bytes each way and who ended it.
 */
export function startRelay(ends: RelayEnds): Relay {
  const { client, upstream } = ends;
  let fromClient = ends.clientHead.length;
  let toClient = ends.upstreamHead.length;
  let closedBy: string | undefined;
  let open = 2;
  let stats: RelayStats | undefined;
  const listeners: ((stats: RelayStats) => void)[] = [];

  const finished = (): void => {
    stats = { bytesFromClient: fromClient, bytesToClient: toClient, closedBy: closedBy ?? 'error' };
    for (const listener of listeners) listener(stats);
  };
  const onClosed = (side: 'client' | 'upstream', other: Duplex) => (): void => {
    closedBy ??= side;
    if (!other.destroyed) {
      other.end();
      setTimeout(() => other.destroy(), CLOSE_GRACE_MS).unref();
    }
    if (--open === 0) finished();
  };

  upstream.setNoDelay(true);
  (client as Partial<Socket>).setNoDelay?.(true);
  client.on('error', () => client.destroy());
  upstream.on('error', () => upstream.destroy());
  client.on('data', (chunk: Buffer) => (fromClient += chunk.length));
  upstream.on('data', (chunk: Buffer) => (toClient += chunk.length));
  client.once('close', onClosed('client', upstream));
  upstream.once('close', onClosed('upstream', client));

  if (ends.upstreamHead.length > 0) client.write(ends.upstreamHead);
  if (ends.clientHead.length > 0) upstream.write(ends.clientHead);
  client.pipe(upstream);
  upstream.pipe(client);

  // The client socket's timer sees both directions: reading what the client sends and writing
  // what the upstream sends both count as activity on it.
  const clientSocket = client as Partial<Socket>;
  clientSocket.setTimeout?.(ends.idleTimeoutMs, () => {
    closedBy ??= 'idle_timeout';
    client.unpipe(upstream);
    upstream.unpipe(client);
    // Each side answers with its own close frame, which nobody needs: read and drop it, so
    // the connections can end.
    client.resume();
    upstream.resume();
    client.end(IDLE_CLOSE_TO_CLIENT);
    upstream.end(idleCloseToUpstream());
    setTimeout(() => {
      client.destroy();
      upstream.destroy();
    }, CLOSE_GRACE_MS).unref();
  });

  return {
    onClose(listener) {
      if (stats) listener(stats);
      else listeners.push(listener);
    },
  };
}
