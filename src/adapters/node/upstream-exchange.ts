import type { Dispatcher } from 'undici';
import { Answer, type Reply } from '../../answer.js';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import type { UpstreamRequest } from '../../platform.js';
import { cleanBuiltResponse, responseHeaderRecord, responseHeadersFrom } from '../../proxy/headers.js';
import { cleanResponseRecord } from './response-head.js';
import { announcedTrailers, passableTrailers } from './trailers.js';
import { undiciUtil } from './undici-agent.js';

/**
 * One upstream exchange as an undici dispatch handler (the handler form undici calls directly,
 * without the Readable, promise and AbortSignal plumbing of `agent.request()`): the response
 * head, body chunks and end arrive as calls, and the body goes on from here without a Node
 * stream in between (docs/ARCHITECTURE.md "Performance devices").
 *
 * What the client sees is unchanged: a complete small answer is an Answer (plain record, whole
 * body), anything larger or slower streams through a web stream with backpressure (undici's
 * `resume` when the reader pulls again), an upstream dying mid-body cuts the client's response,
 * and the upstream's announced trailers follow a chunked body.
 */

type RawHeaders = Record<string, string | string[]>;

/**
 * Small declared bodies (most API answers) usually arrive a moment after the headers. Waiting
 * for those few bytes and answering with them whole spares a web stream per response, which on
 * Node costs more than the rest of the proxying (measured: a single request took ~4× plain
 * undici's latency when every small body was streamed). Larger or unsized bodies stream, unless
 * an unsized one already ended in the same read as its head.
 */
const SMALL_BODY_BYTES = 64 * 1024;

/** What a streamed body may hold before undici is paused: 64 KiB, as undici's own body stream. */
const STREAM_QUEUE: QueuingStrategy<Uint8Array> = {
  highWaterMark: 64 * 1024,
  size: (chunk) => chunk.byteLength,
};

export const UPSTREAM_DIED = 'upstream closed mid-body';

const noop = (): void => undefined;

/** Where the response body goes: nowhere yet (head not in), collected whole, streamed, or dropped. */
const enum Phase {
  Waiting,
  Collecting,
  Streaming,
  Discarding,
  Done,
}

export class UpstreamExchange implements Dispatcher.DispatchHandler {
  #phase = Phase.Waiting;
  #abort: ((reason?: Error) => void) | undefined = undefined;
  #stopReason: unknown = undefined;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #release: () => void = noop;
  #status = 0;
  #headers: RawHeaders | undefined = undefined;
  /** The head as a clean plain record, when cleanResponseRecord could read it in one pass. */
  #clean: Record<string, string> | undefined = undefined;
  #chunks: Buffer[] = [];
  #received = 0;
  /** The declared Content-Length, or -1. */
  #declared = -1;
  #resume: (() => void) | undefined = undefined;
  #paused = false;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined = undefined;
  #trailerNames: string[] | undefined = undefined;

  constructor(
    private readonly request: UpstreamRequest,
    private readonly origin: string,
    private readonly resolve: (reply: Reply) => void,
    private readonly reject: (reason: unknown) => void,
  ) {
    // Once the upstream exchange is over, `release` unsubscribes: the client's connection may
    // outlive it (keep-alive), so no listener is left behind.
    this.#release = subscribeClientAbort(request, (reason) => this.#stop(reason));
    if (this.#phase === Phase.Waiting) {
      this.#timer = setTimeout(() => {
        this.#stop(
          new GatewayError('ERR_UPSTREAM_TIMEOUT', { detail: { origin, timeoutMs: request.timeoutMs } }),
        );
      }, request.timeoutMs);
    }
  }

  /** True once the caller was answered before anything went upstream (the client already left). */
  get settled(): boolean {
    return this.#phase === Phase.Done;
  }

  /**
   * The client left, or no response head within the timeout: the caller is answered at once
   * (a timeout is a 504 even while the connection is still being made), and the upstream
   * exchange is aborted as soon as undici lets it be.
   */
  #stop(reason: unknown): void {
    if (this.#stopReason !== undefined) return;
    this.#stopReason = reason;
    if (this.#phase === Phase.Waiting) this.#fail(reason);
    this.#abort?.(reason instanceof Error ? reason : undefined);
  }

  /** Rejects the caller (before any answer was given) and lets go of everything. */
  #fail(reason: unknown): void {
    this.#phase = Phase.Done;
    this.#finish();
    this.request.body?.cancel().catch(noop);
    this.reject(reason);
  }

  #finish(): void {
    clearTimeout(this.#timer);
    this.#release();
    this.#release = noop;
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#stopReason !== undefined) {
      abort(this.#stopReason instanceof Error ? this.#stopReason : undefined);
      return;
    }
    this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (this.#phase !== Phase.Waiting) return true;
    clearTimeout(this.#timer);
    this.#resume = resume;
    this.#status = statusCode;
    // The usual head in one pass, already clean; anything less common parsed the general way.
    const clean = cleanResponseRecord(rawHeaders);
    this.#clean = clean;
    const headers = clean ?? (undiciUtil.parseHeaders(rawHeaders) as RawHeaders);
    this.#headers = headers;
    if (statusCode < 200 || statusCode > 599) {
      this.#invalid(new RangeError(`status ${statusCode}`));
      return false;
    }
    const { method } = this.request;
    if (method === 'HEAD' || statusCode === 204 || statusCode === 205 || statusCode === 304) {
      // Null-body responses: undici finishes the (empty) message so the connection is reused.
      this.#phase = Phase.Discarding;
      this.#finish();
      this.#answerWhole(null);
      return true;
    }
    const trailerNames = this.request.sendTrailers && announcedTrailers(headers['trailer']);
    if (trailerNames !== undefined) {
      // The upstream announced trailers and the client can take them: the body streams,
      // chunked, and its trailers follow its last chunk (docs/PROTOCOLS.md "Trailers").
      this.#trailerNames = trailerNames;
      this.#startStreaming((h) => {
        h.set('trailer', trailerNames.join(', '));
        h.set('transfer-encoding', 'chunked');
        h.delete('content-length');
      });
      return true;
    }
    const length = headers['content-length'];
    this.#declared = typeof length === 'string' ? Number(length) : -1;
    if (this.#declared > SMALL_BODY_BYTES) {
      this.#startStreaming();
      return true;
    }
    this.#phase = Phase.Collecting;
    if (this.#declared < 0) {
      // Unsized (chunked): answered whole when its end came in the same read as its head
      // (undici parses a whole read synchronously), else streamed from the next turn on.
      queueMicrotask(() => {
        if (this.#phase === Phase.Collecting) this.#startStreaming();
      });
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    switch (this.#phase) {
      case Phase.Collecting:
        this.#received += chunk.length;
        this.#chunks.push(chunk);
        return true;
      case Phase.Streaming: {
        // undici may hand over an empty chunk when it resumes a paused parser: pausing on it
        // again would never get anywhere.
        if (chunk.length === 0) return true;
        const controller = this.#controller as ReadableStreamDefaultController<Uint8Array>;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 1) > 0) return true;
        this.#paused = true;
        return false;
      }
      default:
        return true;
    }
  }

  onComplete(trailers: readonly (Buffer | string)[] | null): void {
    const phase = this.#phase;
    this.#phase = Phase.Done;
    this.#finish();
    if (phase === Phase.Collecting) {
      if (this.#declared >= 0 && this.#received !== this.#declared) return this.#answerDied();
      this.#answerWhole(this.#received === 0 ? null : this.#collected());
    } else if (phase === Phase.Streaming) {
      const names = this.#trailerNames;
      if (names !== undefined) {
        const received =
          trailers && trailers.length > 0 ? undiciUtil.parseHeaders(trailers as Buffer[]) : null;
        this.request.sendTrailers?.(passableTrailers(received as RawHeaders | null, names));
      }
      this.#controller?.close();
    }
  }

  onError(error: Error): void {
    const phase = this.#phase;
    this.#phase = Phase.Done;
    this.#finish();
    switch (phase) {
      case Phase.Waiting:
        // A client that left mid-upload also fails the upload: report the leaving, not the upstream.
        this.request.body?.cancel().catch(noop);
        this.reject(this.#stopReason ?? translateError(error, this.origin));
        return;
      case Phase.Collecting:
        // The upstream died mid-body: a stream that fails, so the client sees an aborted response.
        this.#answerDied();
        return;
      case Phase.Streaming: {
        // On Node the response is cut directly: an errored stream would make the HTTP adapter
        // print the error with its stack (docs/BEHAVIOUR.md "Hostile input").
        const timedOut = (error as { code?: unknown }).code === 'UND_ERR_BODY_TIMEOUT';
        const { abortResponse } = this.request;
        if (abortResponse) abortResponse(timedOut ? 'upstream idle timeout mid-body' : UPSTREAM_DIED);
        else this.#controller?.error(error);
        return;
      }
      default:
        return;
    }
  }

  #collected(): Uint8Array<ArrayBuffer> {
    const chunks = this.#chunks;
    this.#chunks = [];
    return (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) as Uint8Array<ArrayBuffer>;
  }

  /** The head as Headers, for answers that need them (a stream, repeated headers). */
  #headersObject(): Headers {
    return responseHeadersFrom(this.#headers as RawHeaders);
  }

  /**
   * A complete answer as plain data (an Answer) when its headers fit a plain record, so the
   * gateway's exit never builds a Headers object for it; repeated headers (several Set-Cookie
   * lines) need the Headers form.
   */
  #answerWhole(body: Uint8Array<ArrayBuffer> | null): void {
    const record = this.#clean ?? responseHeaderRecord(this.#headers as RawHeaders);
    if (record) return this.resolve(new Answer(this.#status, record, body));
    let headers: Headers;
    try {
      headers = this.#headersObject();
    } catch (error) {
      return this.reject(invalidResponse(error, this.origin));
    }
    this.resolve(cleanBuiltResponse(new Response(body, { status: this.#status, headers })));
  }

  #answerDied(): void {
    let headers: Headers;
    try {
      headers = this.#headersObject();
    } catch (error) {
      return this.reject(invalidResponse(error, this.origin));
    }
    this.resolve(
      cleanBuiltResponse(
        new Response(failingStream(this.request.abortResponse), { status: this.#status, headers }),
      ),
    );
  }

  /** Not representable as a Response: the upstream answered something that is not valid HTTP for us. */
  #invalid(error: unknown): void {
    this.#phase = Phase.Done;
    this.#finish();
    this.#abort?.();
    this.reject(invalidResponse(error, this.origin));
  }

  /**
   * Streams the body (what was collected so far first) through a web stream with backpressure:
   * undici is paused when the stream's queue is full and resumed when the reader pulls again.
   * Cancelling the stream (the client left) aborts the upstream exchange.
   */
  #startStreaming(adjust?: (headers: Headers) => void): void {
    let headers: Headers;
    try {
      headers = this.#headersObject();
      adjust?.(headers);
    } catch (error) {
      this.#invalid(error);
      return;
    }
    this.#phase = Phase.Streaming;
    const pending = this.#received > 0 ? this.#collected() : undefined;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
          if (pending) controller.enqueue(pending);
        },
        // Called from inside enqueue too: undici is resumed only when it was paused, never
        // re-entered while it is parsing.
        pull: () => {
          if (!this.#paused) return;
          this.#paused = false;
          this.#resume?.();
        },
        cancel: () => {
          if (this.#phase === Phase.Streaming) this.#phase = Phase.Done;
          this.#finish();
          this.#abort?.();
        },
      },
      STREAM_QUEUE,
    );
    this.resolve(cleanBuiltResponse(new Response(stream, { status: this.#status, headers })));
  }
}

/**
 * Calls `abort` when the client goes away: through the adapter's cheap disconnect hook when the
 * request carries one, else through its AbortSignal. Returns the unsubscribe function.
 */
function subscribeClientAbort(request: UpstreamRequest, abort: (reason: unknown) => void): () => void {
  if (request.onDisconnect) return request.onDisconnect(() => abort(new Error('client disconnected')));
  const { signal } = request;
  if (signal.aborted) {
    abort(signal.reason);
    return noop;
  }
  const onAbort = (): void => abort(signal.reason ?? new Error('client disconnected'));
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/**
 * The body of a response whose upstream died mid-body: the status and headers go out, then the
 * stream fails, so the client's connection is aborted — never a clean, truncated response
 * (docs/SECURITY.md "Faults and load").
 */
function failingStream(abortResponse: ((reason: string) => void) | undefined): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      if (abortResponse) abortResponse(UPSTREAM_DIED);
      else controller.error(new Error(UPSTREAM_DIED));
    },
  });
}

function invalidResponse(error: unknown, origin: string): GatewayError {
  return new GatewayError('ERR_UPSTREAM_UNAVAILABLE', {
    detail: { origin, reason: 'invalid upstream response', message: (error as Error).message },
  });
}

export function translateError(error: unknown, origin: string): GatewayError {
  // Already in our vocabulary: e.g. the request body stream refused an oversized upload (413).
  if (isGatewayError(error)) return error;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === 'UND_ERR_HEADERS_OVERFLOW') {
    // Its own code, and not an ejection reason: the upstream is up, its answer is just too big.
    return new GatewayError('ERR_UPSTREAM_HEADERS_TOO_LARGE', {
      detail: { origin, upstreamError: code },
      cause: error,
    });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new GatewayError('ERR_UPSTREAM_TIMEOUT', {
      detail: { origin, upstreamError: code },
      cause: error,
    });
  }
  // Refused, reset, DNS, TLS, malformed response: the client sees 502, the log sees why.
  return new GatewayError('ERR_UPSTREAM_UNAVAILABLE', {
    detail: { origin, upstreamError: code ?? (error as Error).name, message },
    cause: error,
  });
}
