import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../../errors/codes.js';
import { errorBodyText, errorStatus } from '../../errors/render.js';
import { pickRequestId } from '../../observability/request-id.js';

/**
 * Answers the Node adapter writes without the gateway, from the same catalogue: a request on a
 * kept-alive socket while the server drains, and CONNECT (node:http never hands it to a request
 * handler). Each carries a request id and closes the connection.
 */
export function answerDraining(outgoing: ServerResponse): void {
  const code: ErrorCode = 'ERR_SHUTTING_DOWN';
  const body = errorBodyText(code);
  outgoing.shouldKeepAlive = false;
  outgoing.writeHead(errorStatus(code), {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': pickRequestId(null),
    'x-powered-by': 'Gatehouse',
    'retry-after': '1',
    connection: 'close',
  });
  outgoing.end(body);
}

export function answerConnect(socket: Socket): void {
  const code: ErrorCode = 'ERR_NOT_IMPLEMENTED';
  const body = errorBodyText(code);
  const status = errorStatus(code);
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${pickRequestId(null)}\r\nx-powered-by: Gatehouse\r\nconnection: close\r\n\r\n${body}`,
  );
}
