import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Gateway } from '../../gateway.js';
import { writeAnswerOnSocket } from './client-errors.js';

/**
 * Answers the Node adapter gives without running a route, through the gateway's exit
 * (`Gateway.refuse`: catalogue body, request id, CORS, one log line): a request on a kept-alive
 * socket while the server drains, and CONNECT (node:http never hands it to a request handler).
 * Both close the connection.
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

/** The two request headers the exit reads (Origin for CORS, X-Request-Id). */
function headersOf(incoming: IncomingMessage): Headers {
  const headers = new Headers();
  for (const name of ['origin', 'x-request-id']) {
    const value = incoming.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  return headers;
}
