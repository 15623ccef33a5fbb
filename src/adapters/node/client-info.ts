import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { HeaderReader } from '../../proxy/client-address.js';
import type { ErrorCode } from '../../errors/codes.js';
import type { ClientInfo, ResponseEnd } from '../../platform.js';
import { requestFramingProblem } from './request-framing.js';

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
  readonly localPort: number | undefined;
  readonly malformed: string | undefined;
  readonly malformedCode: ErrorCode | undefined;
  readonly requestHeaders: HeaderReader;
  /** The parser's header lines, `[name, value, …]` as the client wrote them (ClientInfo). */
  readonly rawRequestHeaders: readonly string[];
  /** HTTP/1.1 (chunked responses) and HTTP/2 carry trailer fields; HTTP/1.0 cannot. */
  readonly acceptsTrailers: boolean;
  answeredByAdapter: ErrorCode | undefined;
  /** The parser's reason when the adapter answered itself (for the access log). */
  malformedDetail: string | undefined;
  requestId: string | undefined;
  #abortReason: string | undefined;
  #controller: AbortController | undefined;
  #disconnectListener: (() => void) | undefined;
  #watchingClose = false;
  readonly #outgoing: ServerResponse;

  constructor(incoming: IncomingMessage, outgoing: ServerResponse) {
    this.address = incoming.socket.remoteAddress ?? '';
    this.protocol = (incoming.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    this.localPort = incoming.socket.localPort;
    const problem = requestFramingProblem(incoming);
    this.malformed = typeof problem === 'string' ? problem : problem?.reason;
    this.malformedCode = typeof problem === 'object' ? problem.code : undefined;
    this.requestHeaders = new IncomingHeaders(incoming.headers);
    this.rawRequestHeaders = incoming.rawHeaders;
    this.acceptsTrailers = incoming.httpVersionMajor >= 2 || incoming.httpVersion === '1.1';
    this.#outgoing = outgoing;
    (outgoing as ServerResponse & { [CLIENT_INFO]?: NodeClientInfo })[CLIENT_INFO] = this;
  }

  get disconnected(): boolean {
    return (
      (this.#outgoing.destroyed && !this.#outgoing.writableFinished) || this.answeredByAdapter !== undefined
    );
  }

  attachRequestId(requestId: string): void {
    this.requestId = requestId;
  }

  /**
   * Cuts the response. If its head has not gone out yet (the HTTP writer is still collecting the
   * first chunks), it waits for the head so the client sees the status and then the cut, as it
   * would for a failure later in the body.
   */
  abortResponse(reason: string): void {
    this.#abortReason ??= reason;
    const outgoing = this.#outgoing;
    let tries = 0;
    const cut = (): void => {
      if (outgoing.headersSent || outgoing.destroyed || ++tries > 50) outgoing.destroy();
      else setTimeout(cut, 1);
    };
    cut();
  }

  /**
   * Hands the upstream's trailers to the response, to go out after its last chunk. Node writes
   * them only on a chunked HTTP/1.1 response (the upstream client asks for chunked encoding
   * when the upstream announced trailers) or as HTTP/2's trailing HEADERS frame.
   */
  sendTrailers(trailers: Readonly<Record<string, string>>): void {
    const outgoing = this.#outgoing;
    if (outgoing.writableEnded || outgoing.destroyed) return;
    outgoing.addTrailers(trailers);
  }

  /** Counts body bytes on this response only (a streamed one; see gateway.ts). */
  onResponseEnd(listener: (end: ResponseEnd) => void): void {
    const outgoing = this.#outgoing;
    let bytes = 0;
    const write = outgoing.write.bind(outgoing) as (...args: unknown[]) => boolean;
    const end = outgoing.end.bind(outgoing) as (...args: unknown[]) => ServerResponse;
    outgoing.write = ((chunk: unknown, ...rest: unknown[]) => {
      bytes += byteLength(chunk);
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    outgoing.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'function') bytes += byteLength(chunk);
      return end(chunk, ...rest);
    }) as ServerResponse['end'];
    outgoing.once('close', () => {
      const completed = outgoing.writableFinished && this.#abortReason === undefined;
      listener({
        completed,
        bytes,
        abortReason: completed ? undefined : (this.#abortReason ?? 'client closed'),
      });
    });
  }

  /**
   * One plain `close` listener per response, added on the first subscription and never
   * removed (the response is over when it fires): unsubscribing only clears the field, which
   * spares node:events' listener search per proxied request.
   */
  onDisconnect(listener: () => void): () => void {
    if (this.disconnected) {
      listener();
      return noop;
    }
    if (this.#disconnectListener !== undefined) return this.#watchClose(listener);
    this.#disconnectListener = listener;
    if (!this.#watchingClose) {
      this.#watchingClose = true;
      this.#outgoing.on('close', notifyDisconnect);
    }
    return () => {
      if (this.#disconnectListener === listener) this.#disconnectListener = undefined;
    };
  }

  /** A second subscriber at the same time (rare): its own listener, removed when it unsubscribes. */
  #watchClose(listener: () => void): () => void {
    const outgoing = this.#outgoing;
    const onClose = (): void => {
      if (!outgoing.writableFinished || this.answeredByAdapter !== undefined) listener();
    };
    outgoing.once('close', onClose);
    return () => outgoing.off('close', onClose);
  }

  /** The response closed: a disconnect when it did not finish (or the adapter answered itself). */
  closed(): void {
    const listener = this.#disconnectListener;
    if (listener === undefined) return;
    this.#disconnectListener = undefined;
    if (!this.#outgoing.writableFinished || this.answeredByAdapter !== undefined) listener();
  }

  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    const outgoing = this.#outgoing;
    outgoing.once('close', () => {
      if (!outgoing.writableFinished || this.answeredByAdapter !== undefined)
        controller.abort(new Error('client disconnected'));
    });
    return controller.signal;
  }
}

const noop = (): void => undefined;

/** The `close` listener of a response whose client info has a disconnect subscriber (shared, no closure). */
function notifyDisconnect(this: ServerResponse): void {
  clientInfoOf(this)?.closed();
}

/**
 * The request's headers as node:http parsed them (lower-case names; repeats joined by `, `,
 * as `Headers.get` joins them; a repeated singleton such as Content-Length is refused by the
 * parser). Reading them here spares building a Web Headers object on routes that never need one.
 */
class IncomingHeaders implements HeaderReader {
  readonly #record: IncomingHttpHeaders;

  constructor(record: IncomingHttpHeaders) {
    this.#record = record;
  }

  get(name: string): string | null {
    const value = this.#record[name];
    if (value === undefined) return null;
    return typeof value === 'string' ? value : value.join(', ');
  }
}

function byteLength(chunk: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk);
  return chunk instanceof Uint8Array ? chunk.byteLength : 0;
}

/**
 * The client info of a response, for the adapter's own answers (client-errors.ts). A symbol
 * property rather than a WeakMap: a WeakMap entry per request measurably added GC work.
 */
const CLIENT_INFO = Symbol('gatehouse.clientInfo');

export function clientInfoOf(outgoing: ServerResponse): NodeClientInfo | undefined {
  return (outgoing as ServerResponse & { [CLIENT_INFO]?: NodeClientInfo })[CLIENT_INFO];
}

export type { NodeClientInfo };

export function clientInfoFor(incoming: IncomingMessage, outgoing: ServerResponse): ClientInfo {
  return new NodeClientInfo(incoming, outgoing);
}
