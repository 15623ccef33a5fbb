import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { Answer, type Reply } from '../../answer.js';
import type { Gateway } from '../../gateway.js';
import type { ClientInfo } from '../../platform.js';
import type { Socket } from 'node:net';
import { clientInfoFor } from './client-info.js';
import { NodeRequest, requestUrl } from './node-request.js';
import { localAuthority } from './request-framing.js';

/**
 * Gatehouse's own node:http (and node:http2 compatibility) request listener: the gateway gets a
 * lazy Request (node-request.ts) and answers with a Reply; an Answer (status, plain header
 * record, whole body) is written with one `writeHead` and one `end`, a Response's body is piped
 * with backpressure and cancelled when the client goes away. No Web Response is built for an
 * Answer and no Web Request for a route that reads only method, URL and headers.
 */
type Incoming = IncomingMessage | Http2ServerRequest;
type Outgoing = ServerResponse | Http2ServerResponse;

/**
 * Connection-specific fields a response on HTTP/2 must not carry (RFC 9113 §8.2.2): Node's
 * HTTP/2 layer refuses them outright. On HTTP/2 there is no connection to close per response.
 */
const CONNECTION_SPECIFIC = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

/** What the listener serves: the gateway's `serve` (or `fetch`), or the admin listener's handlers. */
export type ServeRequest = (request: Request, client: ClientInfo) => Reply | Promise<Reply>;

/**
 * `badTarget` answers a request whose target or Host cannot make a URL (a backslash in the
 * path, `OPTIONS *`, a bad Host) without running anything.
 */
export function createRequestListener(
  serve: ServeRequest,
  badTarget: (incoming: Incoming) => Answer,
): (incoming: Incoming, outgoing: Outgoing) => void {
  return (incoming, outgoing) => {
    let url: string;
    try {
      url = requestUrl(incoming, () => localAuthority(incoming.socket as Socket));
    } catch {
      writeAnswer(incoming, outgoing, badTarget(incoming));
      return;
    }
    const client = clientInfoFor(incoming as IncomingMessage, outgoing as ServerResponse);
    let reply: Reply | Promise<Reply>;
    try {
      reply = serve(new NodeRequest(incoming, url) as unknown as Request, client);
    } catch (error) {
      failed(outgoing, error);
      return;
    }
    if (reply instanceof Promise) {
      reply.then(
        (settled) => write(incoming, outgoing, settled),
        (error: unknown) => failed(outgoing, error),
      );
    } else write(incoming, outgoing, reply);
  };
}

/** The gateway's listener: an unusable target is a 400 through its exit, and the connection is not reused. */
export function gatewayRequestListener(gateway: Gateway): (incoming: Incoming, outgoing: Outgoing) => void {
  const serve: ServeRequest = gateway.serve?.bind(gateway) ?? gateway.fetch.bind(gateway);
  return createRequestListener(serve, (incoming) => {
    const answer = gateway.refuse('ERR_BAD_REQUEST', new Headers(), {
      address: incoming.socket.remoteAddress ?? '',
    });
    return new Answer(answer.status, { ...answer.headers, connection: 'close' }, answer.body);
  });
}

function write(incoming: Incoming, outgoing: Outgoing, reply: Reply): void {
  if (outgoing.writableEnded || outgoing.destroyed) {
    // The adapter answered itself (a body found malformed mid-way) or the client left: a
    // streamed body is cancelled, which stops its upstream.
    if (!(reply instanceof Answer)) reply.body?.cancel().catch(() => undefined);
    return;
  }
  if (reply instanceof Answer) writeAnswer(incoming, outgoing, reply);
  else void writeResponse(incoming, outgoing, reply);
}

/** A Reply the gateway could not make (its exit catches everything, so a bug): the connection is cut. */
function failed(outgoing: Outgoing, error: unknown): void {
  outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
}

/** One `writeHead`, one `end`. The record is a per-request copy (the gateway exit's, or a fresh one): Content-Length is added to it. */
function writeAnswer(incoming: Incoming, outgoing: Outgoing, answer: Answer): void {
  const headers = answer.headers as Record<string, string | number | readonly string[]>;
  const body = answer.body;
  // An error that clears several cookies carries them beside the record (one value per name).
  if (answer.setCookies) headers['set-cookie'] = answer.setCookies;
  if (body !== null && headers['content-length'] === undefined)
    headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (incoming.httpVersionMajor === 2) stripConnectionSpecific(headers);
  outgoing.writeHead(answer.status, headers as OutgoingHttpHeaders);
  if (body === null) outgoing.end();
  else outgoing.end(body);
}

/**
 * A Response (streamed upstream bodies, hooks' and services' answers). Its body is piped with
 * backpressure; when the client goes away the stream is cancelled (which aborts the upstream).
 */
async function writeResponse(incoming: Incoming, outgoing: Outgoing, response: Response): Promise<void> {
  const headers: Record<string, string | string[] | number> = {};
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') headers[name] = value;
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (incoming.httpVersionMajor === 2) stripConnectionSpecific(headers);
  const body = response.body;
  if (body === null) {
    outgoing.writeHead(response.status, headers);
    outgoing.end();
    return;
  }
  const reader = body.getReader();
  // A body that is already complete (a hook's `new Response('…')`) goes out with its length
  // rather than chunked; anything slower streams at once.
  let next: Promise<ReadableStreamReadResult<Uint8Array>> = reader.read();
  if (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
    const first = await settledNow(next);
    if (first?.done === true) {
      headers['content-length'] = 0;
      outgoing.writeHead(response.status, headers);
      outgoing.end();
      return;
    }
    if (first !== undefined) {
      next = reader.read();
      const second = await settledNow(next);
      if (second?.done === true) {
        headers['content-length'] = first.value.byteLength;
        outgoing.writeHead(response.status, headers);
        outgoing.end(first.value);
        return;
      }
      outgoing.writeHead(response.status, headers);
      (outgoing as ServerResponse).write(first.value);
      await pipe(reader, outgoing, next);
      return;
    }
  }
  outgoing.writeHead(response.status, headers);
  // Streams (server-sent events) show their head at once, before the first chunk.
  if ('flushHeaders' in outgoing) outgoing.flushHeaders();
  await pipe(reader, outgoing, next);
}

/** The read's result if it settles within this turn's microtasks, else undefined (still pending). */
function settledNow<T>(read: Promise<T>): Promise<T | undefined> {
  return Promise.race([read, Promise.resolve().then(() => undefined)]);
}

function pipe(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  outgoing: Outgoing,
  next: Promise<ReadableStreamReadResult<Uint8Array>>,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let finished = false;
    const stop = (): void => {
      if (finished) return;
      finished = true;
      outgoing.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      if (!finished) reader.cancel(new Error('client disconnected')).catch(() => undefined);
      stop();
    };
    outgoing.on('close', onClose);
    const fail = (error: unknown): void => {
      if (finished) return;
      stop();
      outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
    };
    const readOn = (): void => void reader.read().then(step, fail);
    const step = (result: ReadableStreamReadResult<Uint8Array>): void => {
      if (finished) return;
      if (result.done) {
        stop();
        outgoing.end();
        return;
      }
      if (outgoing.destroyed) return onClose();
      if ((outgoing as ServerResponse).write(result.value)) readOn();
      else outgoing.once('drain', readOn);
    };
    next.then(step, fail);
  });
}

function stripConnectionSpecific(headers: Record<string, unknown>): void {
  for (const name of CONNECTION_SPECIFIC) if (headers[name] !== undefined) delete headers[name];
}
