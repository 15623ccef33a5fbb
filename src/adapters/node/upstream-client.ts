import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import type { UpstreamClient, UpstreamRequest } from '../../platform.js';
import { responseHeaderRecord, responseHeadersFrom } from '../../proxy/headers.js';
import { Answer, type Reply } from '../../answer.js';
import { splitOrigin } from '../../url-parts.js';
import { announcedTrailers, passableTrailers } from './trailers.js';
import { Agent } from './undici-agent.js';

/**
 * The Node upstream client: undici's pooled `Agent` + `request()` (keep-alive connections per
 * origin), about 3× the throughput of global `fetch` on Node (docs/BENCHMARKS.md). It never follows
 * redirects (an Agent without the redirect interceptor does not), so 3xx reach the client.
 */

export interface UndiciUpstreamClientOptions {
  /** Maximum connections per upstream origin (default: unbounded, as undici's). */
  readonly connections?: number;
}

export type UndiciUpstreamClient = UpstreamClient & { close(): Promise<void> };

/**
 * Request headers undici throws on (it owns the connection's framing). The proxy never passes
 * them (proxy/headers.ts); skipping them keeps any other caller from turning into a 502.
 */
const UNSENDABLE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect']);

const noop = (): void => undefined;

/** undici's own default; a request that names no limit uses it (docs/CONFIG.md). */
const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;

export function createUndiciUpstreamClient(options: UndiciUpstreamClientOptions = {}): UndiciUpstreamClient {
  // One pool per response-head limit (gateway.max_upstream_header_bytes) and HTTP/2 choice:
  // undici fixes both per agent, and a reload may change the limit. Nearly always there is one.
  // Servers with `http2: true` (docs/PROTOCOLS.md "Upstream HTTP/2"): ALPN offers h2, then http/1.1.
  const agents = new Map<string, Agent>();
  const agentFor = (maxHeaderSize: number, allowH2: boolean): Agent => {
    const key = `${maxHeaderSize}/${allowH2 ? 'h2' : 'h1'}`;
    let agent = agents.get(key);
    if (agent === undefined) {
      agent = new Agent({
        maxHeaderSize,
        ...(allowH2 ? { allowH2: true } : {}),
        ...(options.connections === undefined ? {} : { connections: options.connections }),
      });
      agents.set(key, agent);
    }
    return agent;
  };
  const client: UpstreamClient = (request) =>
    send(agentFor(request.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES, request.http2 === true), request);
  return Object.assign(client, {
    close: async () => {
      await Promise.all([...agents.values()].map((agent) => agent.close()));
    },
  });
}

async function send(agent: Agent, request: UpstreamRequest): Promise<Reply> {
  const { origin, path } = splitOrigin(request.url);

  // One emitter for both reasons to stop: the client left (its reason is rethrown as is) or no
  // response headers within the timeout (a GatewayError). undici documents EventEmitter
  // signals; an AbortController per request cost ~4% of a proxied request's CPU (measured).
  const stop = new EventEmitter();
  let stopReason: unknown;
  const abort = (reason: unknown): void => {
    if (stopReason !== undefined) return;
    stopReason = reason;
    stop.emit('abort');
  };
  // Once the upstream exchange is over, `release` unsubscribes: a signal may outlive it (or be
  // shared), so no listener is left behind.
  const release = subscribeClientAbort(request, abort);
  if (stopReason !== undefined) {
    release();
    throw stopReason;
  }
  const timer = setTimeout(() => {
    abort(new GatewayError('ERR_UPSTREAM_TIMEOUT', { detail: { origin, timeoutMs: request.timeoutMs } }));
  }, request.timeoutMs);

  let data: Dispatcher.ResponseData;
  try {
    data = await agent.request({
      origin,
      path,
      method: request.method,
      // undici only reads the list.
      headers: (request.headerList as string[] | undefined) ?? toUndiciHeaders(request.headers),
      // undici streams any async iterable (lib/core/request.js); its types only list Readable.
      body: request.body as Readable | null,
      signal: stop,
      // Longest silence between body chunks (idle_timeout_ms); undici's default is 300 s.
      ...(request.idleTimeoutMs === undefined ? {} : { bodyTimeout: request.idleTimeoutMs }),
    });
  } catch (error) {
    release();
    request.body?.cancel().catch(noop);
    // A client that left mid-upload also fails the upload: report the leaving, not the upstream.
    throw stopReason ?? translateError(error, origin);
  } finally {
    clearTimeout(timer);
  }
  // Until the body ends, a client leaving must still abort the upstream body.
  return toResponse(data, request, origin, release);
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

/** Flat `[name, value, …]`, the form undici reads without allocating a pair per header. */
function toUndiciHeaders(headers: Headers): string[] {
  const flat: string[] = [];
  for (const [name, value] of headers) {
    if (!UNSENDABLE.has(name)) flat.push(name, value);
  }
  return flat;
}

function toResponse(
  data: Dispatcher.ResponseData,
  request: UpstreamRequest,
  origin: string,
  release: () => void,
): Reply | Promise<Reply> {
  const { method, abortResponse } = request;
  const { statusCode, body } = data;
  // Not representable as a Response: the upstream answered something that is not valid HTTP for us.
  const invalid = (error: unknown): GatewayError => {
    release();
    body.on('error', noop).destroy();
    return new GatewayError('ERR_UPSTREAM_UNAVAILABLE', {
      detail: { origin, reason: 'invalid upstream response', message: (error as Error).message },
    });
  };
  if (statusCode < 200 || statusCode > 599) throw invalid(new RangeError(`status ${statusCode}`));
  // The Headers object is built only for an answer that needs one (a streamed body, repeated
  // headers): a whole answer goes out as a plain record; building both cost ~0.9 µs more.
  const headersOf = (): Headers => {
    try {
      return responseHeadersFrom(data.headers);
    } catch (error) {
      throw invalid(error);
    }
  };
  if (method === 'HEAD' || statusCode === 204 || statusCode === 205 || statusCode === 304) {
    // Null-body responses: let undici finish the (empty) message so the connection is reused.
    release();
    body.on('error', noop).resume();
    return whole(statusCode, data.headers, headersOf, null);
  }
  const trailerNames = request.sendTrailers && announcedTrailers(data.headers.trailer);
  if (trailerNames !== undefined) {
    // The upstream announced trailers and the client can take them: the body streams, chunked,
    // and its trailers follow its last chunk (docs/PROTOCOLS.md "Trailers").
    body.once('close', release);
    const headers = headersOf();
    headers.set('trailer', trailerNames.join(', '));
    headers.set('transfer-encoding', 'chunked');
    headers.delete('content-length');
    const sendTrailers = request.sendTrailers;
    const atEnd = (): void => sendTrailers?.(passableTrailers(data.trailers, trailerNames));
    return new Response(toWebStream(body, abortResponse, atEnd), { status: statusCode, headers });
  }
  const complete = completeBody(body, data.headers['content-length']);
  if (complete !== undefined) {
    release();
    return whole(statusCode, data.headers, headersOf, complete);
  }
  const declared = Number(data.headers['content-length']);
  if (declared > 0 && declared <= SMALL_BODY_BYTES) {
    return collectSmallBody(body, declared).then((bytes) => {
      release();
      // The upstream died mid-body: a stream that fails, so the client sees an aborted response.
      if (bytes === null)
        return new Response(failingStream(abortResponse), { status: statusCode, headers: headersOf() });
      return whole(statusCode, data.headers, headersOf, bytes);
    });
  }
  body.once('close', release);
  return new Response(toWebStream(body, abortResponse), { status: statusCode, headers: headersOf() });
}

/**
 * A complete upstream answer as plain data (an Answer) when its headers fit a plain record, so
 * the gateway's exit never builds a Headers object for it; repeated headers (several
 * Set-Cookie lines) need the Headers form.
 */
function whole(
  status: number,
  raw: Dispatcher.ResponseData['headers'],
  headersOf: () => Headers,
  body: Uint8Array<ArrayBuffer> | null,
): Reply {
  const record = responseHeaderRecord(raw);
  return record ? new Answer(status, record, body) : new Response(body, { status, headers: headersOf() });
}

/**
 * Small declared bodies (most API answers) usually arrive a moment after the headers. Waiting
 * for those few bytes and answering with them whole spares a web stream per response, which on
 * Node costs more than the rest of the proxying (measured: a single request took ~4× plain
 * undici's latency when every small body was streamed). Larger or unsized bodies stream.
 */
const SMALL_BODY_BYTES = 64 * 1024;

/** The whole declared body, or null when the upstream failed before sending all of it. */
function collectSmallBody(body: Readable, length: number): Promise<Uint8Array<ArrayBuffer> | null> {
  return new Promise((resolve) => {
    const bytes = new Uint8Array(length);
    let received = 0;
    body.on('data', (chunk: Buffer) => {
      if (received + chunk.length > length) return void body.destroy();
      bytes.set(chunk, received);
      received += chunk.length;
    });
    body.once('end', () => resolve(received === length ? bytes : null));
    body.once('error', () => resolve(null));
    body.once('close', () => resolve(received === length ? bytes : null));
  });
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

const UPSTREAM_DIED = 'upstream closed mid-body';

/**
 * The whole body when it has already arrived with the headers (the usual case for small
 * responses: one TCP segment), else undefined. Nothing waits and nothing is buffered that was
 * not already in memory, so streaming is unchanged; but a body known to be complete is handed
 * over as bytes, which spares a web stream and lets the server write head and body in one
 * syscall. Measured on a small JSON route: +25–35% requests/s with Content-Length, about +40%
 * for a chunked one.
 */
function completeBody(
  body: Readable,
  contentLength: string | string[] | undefined,
): Uint8Array<ArrayBuffer> | null | undefined {
  const length = body.readableLength;
  const complete =
    (typeof contentLength === 'string' && Number(contentLength) === length) ||
    // Chunked (or otherwise unsized) body: complete once undici pushed its end. Node exposes that
    // only on the stream's internal state; should it ever move, bodies simply stream.
    (body as { _readableState?: { ended?: boolean } })._readableState?.ended === true;
  if (!complete) return undefined;
  const bytes = length === 0 ? null : (body.read() as Uint8Array<ArrayBuffer> | null);
  if (bytes === null && length !== 0) return undefined;
  // Let undici's stream end and release itself; nothing remains to read.
  body.on('error', noop).resume();
  return bytes;
}

/**
 * undici's body (a Node Readable) as a web stream with backpressure: flowing until the web
 * queue is full, paused until the reader pulls again. An upstream dying mid-body errors the
 * stream (undici destroys the body with the socket error), so the client's response is aborted
 * rather than ended cleanly; cancelling the stream (client gone) destroys the upstream body.
 * Measured on streamed responses: ~20% more requests/s than `Readable.toWeb`, ~40% more than
 * undici's own `body.body`; on par with `ReadableStream.from(body)` (within noise).
 */
function toWebStream(
  body: Readable,
  abortResponse: ((reason: string) => void) | undefined,
  atEnd?: () => void,
): ReadableStream<Uint8Array> {
  let settled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      body.on('data', (chunk: Buffer) => {
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 1) <= 0) body.pause();
      });
      body.on('end', () => {
        if (settled) return;
        settled = true;
        atEnd?.();
        controller.close();
      });
      body.on('error', (error) => {
        if (settled) return;
        settled = true;
        // On Node the response is cut directly: an errored stream would make the HTTP adapter
        // print the error with its stack (docs/BEHAVIOUR.md "Hostile input"). The writer then
        // cancels this stream.
        const timedOut = (error as { code?: unknown }).code === 'UND_ERR_BODY_TIMEOUT';
        if (abortResponse) abortResponse(timedOut ? 'upstream idle timeout mid-body' : UPSTREAM_DIED);
        else controller.error(error);
      });
    },
    pull() {
      body.resume();
    },
    cancel(reason) {
      settled = true;
      body.destroy(reason instanceof Error ? reason : undefined);
    },
  });
}

function translateError(error: unknown, origin: string): GatewayError {
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
