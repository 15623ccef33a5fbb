import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import type { Gateway } from '../../gateway.js';
import { writeAnswerOnSocket } from './client-errors.js';

/**
 * Answers the Node adapter gives without running a route, through the gateway's exit
 * (`Gateway.refuse`: catalogue body, request id, CORS, one log line): a request on a kept-alive
 * socket while the server drains, and CONNECT (node:http and node:http2 never hand it to a
 * request handler). On HTTP/1.1 both close the connection; on HTTP/2 only the stream ends.
 */
export function answerDraining(gateway: Gateway, incoming: IncomingMessage, outgoing: ServerResponse): void {
  const answer = gateway.refuse('ERR_SHUTTING_DOWN', headersOf(incoming), {
    address: incoming.socket.remoteAddress ?? '',
  });
  outgoing.shouldKeepAlive = false;
  outgoing.writeHead(answer.status, { ...answer.headers, 'retry-after': '1', connection: 'close' });
  outgoing.end(answer.body);
}

export function answerConnect(gateway: Gateway, incoming: IncomingMessage, socket: Socket): void {
  writeAnswerOnSocket(
    socket,
    gateway.refuse('ERR_NOT_IMPLEMENTED', headersOf(incoming), { address: socket.remoteAddress ?? '' }),
  );
}

/** CONNECT on HTTP/2: the same 501 as on HTTP/1.1 (docs/ERRORS.md), on its stream. */
export function answerHttp2Connect(
  gateway: Gateway,
  incoming: Http2ServerRequest,
  outgoing: Http2ServerResponse,
): void {
  const answer = gateway.refuse('ERR_NOT_IMPLEMENTED', headersOf(incoming), {
    address: incoming.socket?.remoteAddress ?? '',
  });
  outgoing.writeHead(answer.status, answer.headers);
  if (answer.body === null) outgoing.end();
  else outgoing.end(answer.body);
}

/** The two request headers the exit reads (Origin for CORS, X-Request-Id). */
function headersOf(incoming: { readonly headers: IncomingHttpHeaders }): Headers {
  const headers = new Headers();
  for (const name of ['origin', 'x-request-id']) {
    const value = incoming.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  return headers;
}
