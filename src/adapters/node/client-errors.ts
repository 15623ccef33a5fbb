import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Answer } from '../../answer.js';
import type { ErrorCode } from '../../errors/codes.js';
import type { Gateway } from '../../gateway.js';
import { clientInfoOf } from './client-info.js';

/**
 * Requests Node's HTTP parser refuses (malformed framing, oversize headers, conflicting
 * Content-Length/Transfer-Encoding, a client too slow to send its headers) never become a
 * `Request`. They are answered by the gateway's own exit (`Gateway.refuse`), so they carry the
 * catalogue's JSON body, `X-Request-Id` and, for an allowed origin, CORS — a browser that sends
 * 20 KB of cookies reads a 431, not a CORS failure (docs/SECURITY.md "Paths and headers").
 *
 * A parse error can also arrive after the request was handed to the gateway (a malformed chunk
 * in the body, a body slower than gateway.request_timeout_ms): if its response has not started,
 * the adapter answers in its place and tells the gateway, which then discards its own answer and
 * logs this one (docs/BEHAVIOUR.md "Hostile input"). Never a silent close when an answer is
 * still possible.
 */
export function createClientErrorHandler(gateway: Gateway) {
  return (error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void => {
    const code = codeFor(error.code);
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (inFlight) {
      answerInFlight(gateway, inFlight, socket, code, error.code);
      return;
    }
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const answer = gateway.refuse(code, readableHeaders(error.rawPacket), {
      address: socket.remoteAddress ?? '',
    });
    writeAnswerOnSocket(socket, answer);
  };
}

/** An Answer written as a whole HTTP/1.1 response on a raw socket, which is then closed. */
export function writeAnswerOnSocket(socket: Socket, answer: Answer): void {
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : Buffer.alloc(0);
  const lines = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`];
  for (const [name, value] of Object.entries(answer.headers)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${body.length}`, 'connection: close', '', '');
  socket.on('error', () => undefined);
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]));
}

function answerInFlight(
  gateway: Gateway,
  response: ServerResponse,
  socket: Socket,
  code: ErrorCode,
  reason?: string,
): void {
  if (response.headersSent) {
    // The gateway already answered (or is streaming): finish what was written, then close.
    if (response.writableEnded) socket.destroySoon();
    else socket.destroy();
    return;
  }
  const info = clientInfoOf(response);
  if (info) {
    info.answeredByAdapter = code;
    info.malformedDetail = reason;
  }
  // Decorated by the gateway's exit under the request's own id; its access-log line (written when
  // the gateway's work for the request ends) records this answer.
  const requestHeaders = new Headers();
  const origin = response.req.headers.origin;
  if (typeof origin === 'string') requestHeaders.set('origin', origin);
  if (info?.requestId !== undefined) requestHeaders.set('x-request-id', info.requestId);
  const answer = gateway.refuse(
    code,
    requestHeaders,
    { address: socket.remoteAddress ?? '' },
    { unlogged: true },
  );
  const body = typeof answer.body === 'string' ? answer.body : '';
  response.shouldKeepAlive = false;
  response.writeHead(answer.status, {
    ...answer.headers,
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  response.end(body);
  // Whatever the gateway answers later for this request has nowhere to go: swallow it quietly.
  response.writeHead = (() => response) as unknown as ServerResponse['writeHead'];
  response.write = (() => true) as ServerResponse['write'];
  response.end = (() => response) as ServerResponse['end'];
  response.once('finish', () => socket.destroySoon());
}

/** Node's parser error codes → catalogue codes (the adapter's translation layer). */
function codeFor(code: string | undefined): ErrorCode {
  if (code === 'HPE_HEADER_OVERFLOW') return 'ERR_HEADERS_TOO_LARGE';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'ERR_REQUEST_TIMEOUT';
  if (code === 'HPE_URI_TOO_LONG') return 'ERR_URI_TOO_LONG';
  return 'ERR_BAD_REQUEST';
}

/** Only the headers the exit reads, and only values that are plain header text. */
const DECORATION_INPUTS = new Set(['origin', 'x-request-id']);

/**
 * The `Origin` and `X-Request-Id` of the refused request, when the bytes Node had read hold
 * them (the parser hands them over as `rawPacket`); anything unreadable is left out.
 */
function readableHeaders(rawPacket: unknown): Headers {
  const headers = new Headers();
  if (!(rawPacket instanceof Uint8Array)) return headers;
  const text = Buffer.from(rawPacket.buffer, rawPacket.byteOffset, rawPacket.byteLength).toString('latin1');
  for (const line of text.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!DECORATION_INPUTS.has(name) || headers.has(name)) continue;
    try {
      headers.set(name, line.slice(colon + 1).trim());
    } catch {
      // Not valid header text: the answer goes out without it.
    }
  }
  return headers;
}
