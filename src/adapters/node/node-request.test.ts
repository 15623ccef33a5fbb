import { createServer, type IncomingMessage, type Server } from 'node:http';
import {
  connect,
  createServer as createHttp2Server,
  type Http2Server,
  type Http2ServerRequest,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { rawRequest } from '../../../test/helpers/raw-http.js';
import { NodeRequest } from './node-request.js';

/**
 * Which requests carry a body, as the lazy Request reports it (docs/PROTOCOLS.md "Retries": a
 * request without one may be sent again to another URL). Real node:http and node:http2 servers.
 */

type Listening = Server | Http2Server;

/**
 * Whether the Request the gateway would see for the one request `send` makes has a body, on a
 * server made by `serve` (node:http or node:http2) whose handler builds that Request.
 */
async function hasBody(
  serve: (onRequest: (incoming: IncomingMessage | Http2ServerRequest) => void) => Listening,
  send: (base: string) => Promise<unknown>,
): Promise<boolean> {
  let seen: ((hasBody: boolean) => void) | undefined;
  const answer = new Promise<boolean>((resolve) => (seen = resolve));
  const server = serve((incoming) => {
    const request = new NodeRequest(incoming, `http://gateway.example${incoming.url}`) as unknown as Request;
    seen?.(request.body !== null);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return await answer;
  } finally {
    server.close();
    if ('closeAllConnections' in server) server.closeAllConnections();
  }
}

/** One request on node:http, written as raw bytes. */
const http1HasBody = (requestText: string): Promise<boolean> =>
  hasBody(
    (onRequest) =>
      createServer((incoming, outgoing) => {
        onRequest(incoming);
        outgoing.end();
      }),
    (base) => rawRequest(base, requestText),
  );

/** One stream on node:http2: with `body` it carries DATA, without it HEADERS end it. */
const http2HasBody = (method: string, body?: string): Promise<boolean> =>
  hasBody(
    (onRequest) =>
      createHttp2Server((incoming, outgoing) => {
        onRequest(incoming);
        incoming.resume();
        outgoing.end();
      }),
    async (base) => {
      const session = connect(base);
      try {
        const stream = session.request(
          { ':method': method, ':path': '/x' },
          { endStream: body === undefined },
        );
        if (body !== undefined) stream.end(body);
        stream.resume();
        await new Promise((resolve) => stream.on('close', resolve));
      } finally {
        session.close();
      }
    },
  );

describe('NodeRequest body', () => {
  it.each([
    ['DELETE without Content-Length or Transfer-Encoding', 'DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n', false],
    ['POST without Content-Length or Transfer-Encoding', 'POST /x HTTP/1.1\r\nHost: a\r\n\r\n', false],
    ['PUT with a declared body', 'PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi', true],
    [
      'POST with a chunked body',
      'POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n',
      true,
    ],
  ])('HTTP/1.1 %s: body %s', async (_what, text, hasBody) => {
    expect(await http1HasBody(text)).toBe(hasBody);
  });

  it('HTTP/2: none when the stream ended with its headers, a body when DATA follows', async () => {
    expect(await http2HasBody('DELETE')).toBe(false);
    expect(await http2HasBody('POST', 'hello')).toBe(true);
  });
});
