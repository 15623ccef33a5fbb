import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect as h2Connect } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import { closeServer, listenOnLoopback, startInlineGatehouse } from '../fixtures/loopback.js';
import { rawExchange } from '../helpers/raw-http.js';

/**
 * The Node proxy builds the upstream's headers straight from the parser's raw header lines
 * (proxy/headers.ts buildUpstreamHeaderList): the same rules as the Headers path — hop-by-hop
 * and Connection-named headers left out, the client's X-Request-Id and forwarding headers
 * replaced, repeated lines kept, HTTP/2 pseudo-headers never sent as headers.
 */

let upstream: Server;
let gateway: RunningGatehouse;
let h2cGateway: RunningGatehouse;
let seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  upstream = createServer((request, response) => {
    seen.push(request.headers);
    response.end('ok');
  });
  const config = {
    servers: [{ alias: 'up', url: await listenOnLoopback(upstream) }],
    paths: [
      { method: 'GET', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } },
      {
        method: 'GET',
        path: '/mapped/{.+}',
        integration: { type: 'http_proxy', server: 'up' },
        mapping: { headers: { 'x-user-id': '$request.header.x-in', 'x-absent': '$request.header.x-none' } },
      },
    ],
  };
  gateway = await startInlineGatehouse(config);
  h2cGateway = await startInlineGatehouse(config, { h2c: true });
});

afterAll(async () => {
  await gateway?.close(500);
  await h2cGateway?.close(500);
  await closeServer(upstream);
});

describe('upstream header list from the raw request lines (Node)', () => {
  it('keeps end-to-end headers, drops hop-by-hop ones and replaces what the gateway sets', async () => {
    seen = [];
    const answer = await rawExchange(
      gateway.url,
      'GET /up/x HTTP/1.1\r\nHost: api.example\r\nX-Multi: a\r\nx-multi: b\r\nX-Request-Id: spoofed\r\n' +
        'X-Forwarded-For: 6.6.6.6\r\nConnection: close, X-Hop\r\nX-Hop: secret\r\nTE: trailers\r\n' +
        'Accept: text/plain\r\nCookie: a=1\r\n\r\n',
    );
    expect(answer.startsWith('HTTP/1.1 200')).toBe(true);
    expect(seen).toHaveLength(1);
    const headers = seen[0]!;
    expect(headers['x-multi']).toBe('a, b');
    expect(headers['accept']).toBe('text/plain');
    expect(headers['cookie']).toBe('a=1');
    expect(headers['x-hop']).toBeUndefined();
    expect(headers['te']).toBeUndefined();
    // One X-Request-Id line upstream: the gateway's request id, the one the client is told.
    const told = /\r\nx-request-id: ([^\r]+)/i.exec(answer)?.[1];
    expect(told).toBeDefined();
    expect(headers['x-request-id']).toBe(told);
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-forwarded-host']).toBe('api.example');
    expect(headers['forwarded']).toBe('for=127.0.0.1;host=api.example;proto=http');
    expect(headers['host']).not.toBe('api.example');
  });

  it('sends no HTTP/2 pseudo-header upstream', async () => {
    seen = [];
    const session = h2Connect(h2cGateway.url);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const stream = session.request({ ':path': '/up/h2', ':method': 'GET', 'x-h2': 'yes' });
        let code = 0;
        stream.on('response', (head) => (code = Number(head[':status'])));
        stream.on('error', reject);
        stream.on('end', () => resolve(code));
        stream.resume();
      });
      expect(status).toBe(200);
    } finally {
      session.close();
    }
    const headers = seen[0]!;
    expect(headers['x-h2']).toBe('yes');
    expect(Object.keys(headers).filter((name) => name.startsWith(':'))).toEqual([]);
  });

  it('applies mapping to the pair list: mapped values set, client copies of mapped names gone', async () => {
    seen = [];
    const answer = await rawExchange(
      gateway.url,
      'GET /mapped/x HTTP/1.1\r\nHost: api.example\r\nX-In:  from-client \r\nX-User-Id: admin\r\n' +
        'x-user-id: root\r\nX-Absent: forged\r\nConnection: close\r\n\r\n',
    );
    expect(answer.startsWith('HTTP/1.1 200')).toBe(true);
    const headers = seen[0]!;
    expect(headers['x-user-id']).toBe('from-client');
    expect(headers['x-absent']).toBeUndefined();
    expect(headers['x-in']).toBe('from-client');
  });
});
