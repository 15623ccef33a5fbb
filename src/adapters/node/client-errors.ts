import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../../errors/codes.js';
import { errorBodyText, errorStatus } from '../../errors/render.js';
import { pickRequestId } from '../../observability/request-id.js';
import { clientInfoOf } from './client-info.js';

/**
 * Requests Node's HTTP parser refuses (malformed framing, oversize headers, conflicting
 * Content-Length/Transfer-Encoding, a slow client) get the same JSON error vocabulary and an
 * `X-Request-Id` instead of Node's bare status line or a silent close (docs/BEHAVIOUR.md
 * "Hostile input"). A parse error can also arrive after the request was handed to the gateway
 * (a malformed chunk in the body): if its response has not started, the adapter answers in its
 * place and tells the gateway, which then discards its own answer.
 */
export function handleClientError(error: Error & { code?: string }, socket: Socket): void {
  const code = catalogueCodeFor(error.code);
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (inFlight) {
    answerInFlight(inFlight, socket, code, error.code);
    return;
  }
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = errorBodyText(code);
  const status = errorStatus(code);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${pickRequestId(null)}\r\nx-powered-by: Gatehouse\r\nconnection: close\r\n\r\n${body}`,
  );
}

function answerInFlight(response: ServerResponse, socket: Socket, code: ErrorCode, reason?: string): void {
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
  const body = errorBodyText(code);
  response.shouldKeepAlive = false;
  response.writeHead(errorStatus(code), {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': info?.requestId ?? pickRequestId(null),
    'x-powered-by': 'Gatehouse',
    connection: 'close',
  });
  response.end(body);
  // Whatever the gateway answers later for this request has nowhere to go: swallow it quietly.
  response.writeHead = (() => response) as unknown as ServerResponse['writeHead'];
  response.write = (() => true) as ServerResponse['write'];
  response.end = (() => response) as ServerResponse['end'];
  response.once('finish', () => socket.destroySoon());
}

function catalogueCodeFor(code: string | undefined): ErrorCode {
  if (code === 'HPE_HEADER_OVERFLOW') return 'ERR_HEADERS_TOO_LARGE';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'ERR_REQUEST_TIMEOUT';
  if (code === 'HPE_URI_TOO_LONG') return 'ERR_URI_TOO_LONG';
  return 'ERR_BAD_REQUEST';
}
