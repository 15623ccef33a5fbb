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

/** How many idle checks fit in one idle timeout: the relay closes within 1¼ of it. */
const IDLE_CHECKS_PER_TIMEOUT = 4;

/**
 * Bytes a stream has read and written so far. A net.Socket (TLS included) counts them itself,
 * so nothing runs per chunk; another Duplex (the h2c front's wrapper) is counted by listeners.
 */
function byteCounter(stream: Duplex): () => { read: number; written: number } {
  if (typeof (stream as Partial<Socket>).bytesRead === 'number') {
    const socket = stream as Socket;
    return () => ({ read: socket.bytesRead, written: socket.bytesWritten });
  }
  let read = 0;
  let written = 0;
  stream.on('data', (chunk: Buffer) => (read += chunk.length));
  const write = stream.write.bind(stream) as (chunk: Buffer, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: Buffer, ...rest: unknown[]) => {
    written += chunk.length;
    return write(chunk, ...rest);
  }) as Duplex['write'];
  return () => ({ read, written });
}

/**
 * Pipes the two sockets both ways (pipe pauses the faster side while the slower one's buffer is
 * full), closes both after `idleTimeoutMs` without traffic in either direction, and reports once
 * when both are closed: bytes each way and who ended it.
 *
 * Nothing of the gateway's runs per chunk besides `pipe` itself (docs/BENCHMARKS.md "Protocols"):
 * bytes are the sockets' own counters, read at close, and idleness is a timer that fires a few
 * times per idle timeout and compares those counters, instead of a socket timeout re-armed by
 * every read and write.
 */
export function startRelay(ends: RelayEnds): Relay {
  const { client, upstream } = ends;
  const counted = byteCounter(client);
  const base = counted();
  const transferred = (): { fromClient: number; toClient: number } => {
    const now = counted();
    return {
      fromClient: ends.clientHead.length + now.read - base.read,
      toClient: now.written - base.written,
    };
  };
  let closedBy: string | undefined;
  let open = 2;
  let stats: RelayStats | undefined;
  const listeners: ((stats: RelayStats) => void)[] = [];

  const finished = (): void => {
    clearInterval(idleCheck);
    const { fromClient, toClient } = transferred();
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
  client.once('close', onClosed('client', upstream));
  upstream.once('close', onClosed('upstream', client));

  if (ends.upstreamHead.length > 0) client.write(ends.upstreamHead);
  if (ends.clientHead.length > 0) upstream.write(ends.clientHead);
  client.pipe(upstream);
  upstream.pipe(client);

  // Everything the upstream sends goes to the client and everything the client sends is read
  // from it: the client's two counters see both directions.
  let lastTotal = -1;
  let quietSince = Date.now();
  const idleCheck = setInterval(
    () => {
      const { read, written } = counted();
      const total = read + written;
      const now = Date.now();
      if (total !== lastTotal) {
        lastTotal = total;
        quietSince = now;
        return;
      }
      if (now - quietSince < ends.idleTimeoutMs) return;
      clearInterval(idleCheck);
      closeIdle();
    },
    Math.max(1, Math.floor(ends.idleTimeoutMs / IDLE_CHECKS_PER_TIMEOUT)),
  );
  idleCheck.unref();

  const closeIdle = (): void => {
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
  };

  return {
    onClose(listener) {
      if (stats) listener(stats);
      else listeners.push(listener);
    },
  };
}
