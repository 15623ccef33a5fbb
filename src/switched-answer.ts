import { Answer } from './answer.js';

/** What a finished WebSocket relay reports for its access-log line (docs/PROTOCOLS.md). */
export interface RelayStats {
  readonly bytesFromClient: number;
  readonly bytesToClient: number;
  /**
   * `idle_timeout`, else the side whose connection closed first (`client` or `upstream`;
   * after a normal close handshake that is usually the upstream, which per RFC 6455 §7.1.1
   * closes the TCP connection first).
   */
  readonly closedBy: string;
}

/** A running relay: it calls back once, when both sides are closed. */
export interface Relay {
  onClose(listener: (stats: RelayStats) => void): void;
}

/**
 * The 101 of a WebSocket upgrade whose relay the adapter already runs (Node): the handshake
 * answer was written to the client's socket by the adapter, so the gateway's exit only logs,
 * at close, with the relay's duration and bytes. Workers answer with the runtime's own 101
 * Response instead.
 */
export class SwitchedAnswer extends Answer {
  constructor(
    headers: Readonly<Record<string, string>>,
    readonly relay: Relay,
  ) {
    super(101, headers, null);
  }
}
