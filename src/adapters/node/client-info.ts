import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientInfo } from '../../platform.js';

/**
 * Connection facts for one request. The abort signal is created only when a step asks for it
 * (the proxy does; static routes never pay for an AbortController and a close listener).
 *
 * A class rather than an object literal with a getter: V8 keeps accessors in an object's hidden
 * class, so a fresh getter closure per request meant a fresh hidden class per request, which
 * measurably inflated garbage collection under load (docs/BENCHMARKS.md).
 */
class NodeClientInfo implements ClientInfo {
  readonly address: string;
  readonly protocol: string;
  readonly malformed: string | undefined;
  #controller: AbortController | undefined;
  readonly #outgoing: ServerResponse;

  constructor(incoming: IncomingMessage, outgoing: ServerResponse) {
    this.address = incoming.socket.remoteAddress ?? '';
    this.protocol = (incoming.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    this.malformed = findDuplicateSingletonHeader(incoming.rawHeaders);
    this.#outgoing = outgoing;
  }

  get disconnected(): boolean {
    return this.#outgoing.destroyed && !this.#outgoing.writableFinished;
  }

  onDisconnect(listener: () => void): () => void {
    if (this.disconnected) {
      listener();
      return noop;
    }
    const outgoing = this.#outgoing;
    const onClose = (): void => {
      if (!outgoing.writableFinished) listener();
    };
    outgoing.once('close', onClose);
    return () => outgoing.off('close', onClose);
  }

  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    const outgoing = this.#outgoing;
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) controller.abort(new Error('client disconnected'));
    });
    return controller.signal;
  }
}

const noop = (): void => undefined;

export function clientInfoFor(incoming: IncomingMessage, outgoing: ServerResponse): ClientInfo {
  return new NodeClientInfo(incoming, outgoing);
}

/**
 * Headers that must appear at most once (RFC 9110 §7.2 for Host; two Authorization headers make
 * "which token?" ambiguous). Node keeps only the first Host in `headers`, so look at the raw list.
 */
export function findDuplicateSingletonHeader(rawHeaders: readonly string[]): string | undefined {
  let hosts = 0;
  let authorizations = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++;
    else if (name.length === 13 && name.toLowerCase() === 'authorization') authorizations++;
  }
  if (hosts > 1) return 'duplicate Host header';
  if (authorizations > 1) return 'duplicate Authorization header';
  return undefined;
}
