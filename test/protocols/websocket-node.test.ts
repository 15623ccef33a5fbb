import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { createJsonLogger } from '../../src/observability/logger.js';
import { startWebSocketUpstream, type WebSocketUpstream } from '../fixtures/websocket-upstream.js';
import { rawRequest } from '../helpers/raw-http.js';
import { CONFORMANCE_JWT_AUTHORIZER, conformanceToken } from '../fixtures/keys.js';

/**
 * WebSocket relay through `gatehouse start` on Node (docs/PROTOCOLS.md "WebSocket"), against a
 * real `ws` echo server: frames both ways, a 10 MB message, close codes, authorization before
 * the upgrade (header, query parameter, subprotocol entry), 426 where off, 502 when the
 * upstream refuses, the idle timeout and the access-log line at close.
 */

let upstream: WebSocketUpstream;
let gateway: RunningGatehouse;
let wsBase: string;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  upstream = await startWebSocketUpstream();
  gateway = await startGatehouse({
    source: inlineConfigSource({
      servers: [
        { alias: 'echo', url: upstream.url },
        { alias: 'dead', url: 'http://127.0.0.1:1' },
      ],
      authorizer: CONFORMANCE_JWT_AUTHORIZER,
      paths: [
        { method: 'GET', path: '/open/{.+}', integration: { type: 'http_proxy', server: 'echo' } },
        {
          method: 'GET',
          path: '/secure/{.+}',
          auth: true,
          integration: { type: 'http_proxy', server: 'echo' },
          mapping: { headers: { 'x-user': '$request.jwt.sub' } },
          websocket: { token_query: 'access_token', token_protocol_prefix: 'bearer.' },
        },
        {
          method: 'GET',
          path: '/quiet/{.+}',
          integration: { type: 'http_proxy', server: 'echo' },
          websocket: { idle_timeout_ms: 300 },
        },
        {
          method: 'GET',
          path: '/off/{.+}',
          integration: { type: 'http_proxy', server: 'echo' },
          websocket: false,
        },
        { method: 'GET', path: '/dead/{.+}', integration: { type: 'http_proxy', server: 'dead' } },
        {
          method: 'GET',
          path: '/limited/{.+}',
          integration: { type: 'http_proxy', server: 'echo' },
          rate_limit: 'two_per_minute',
        },
      ],
      rate_limits: { two_per_minute: { limit: 2, window_s: 60, key: ['$request.ip'] } },
    }),
    env: {},
    port: 0,
    logger: createJsonLogger('info', (line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
  });
  wsBase = gateway.url.replace('http://', 'ws://');
});

afterAll(async () => {
  await gateway?.close(500);
  await upstream?.close();
});

interface Opened {
  readonly ws: WebSocket;
  readonly messages: { data: Buffer; binary: boolean }[];
  next(): Promise<{ data: Buffer; binary: boolean }>;
  closed: Promise<{ code: number; reason: string }>;
}

function open(path: string, options: WebSocket.ClientOptions = {}, protocols?: string[]): Promise<Opened> {
  const ws = new WebSocket(`${wsBase}${path}`, protocols, { maxPayload: 64 * 1024 * 1024, ...options });
  const messages: Opened['messages'] = [];
  const waiters: ((message: { data: Buffer; binary: boolean }) => void)[] = [];
  ws.on('message', (data: Buffer, binary) => {
    const message = { data, binary };
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else messages.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        messages,
        closed,
        next: () => {
          const queued = messages.shift();
          return queued ? Promise.resolve(queued) : new Promise((r) => waiters.push(r));
        },
      }),
    );
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        reject(new RefusedUpgrade(res.statusCode ?? 0, Buffer.concat(chunks).toString(), res.headers)),
      );
    });
    ws.once('error', reject);
  });
}

class RefusedUpgrade extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Record<string, string | string[] | undefined>,
  ) {
    super(`upgrade refused with ${status}`);
  }
}

async function refusal(promise: Promise<unknown>): Promise<RefusedUpgrade> {
  const error = await promise.then(
    () => new Error('the upgrade went through'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RefusedUpgrade);
  return error as RefusedUpgrade;
}

describe('WebSocket relay on Node', () => {
  it('echoes text and binary frames both ways, keeping their types', async () => {
    const { ws, next, closed } = await open('/open/chat');
    ws.send('hello');
    const text = await next();
    expect(text.binary).toBe(false);
    expect(text.data.toString()).toBe('hello');
    ws.send(Buffer.from([0, 1, 2, 255]));
    const binary = await next();
    expect(binary.binary).toBe(true);
    expect([...binary.data]).toEqual([0, 1, 2, 255]);
    ws.close(1000, 'bye');
    expect(await closed).toEqual({ code: 1000, reason: 'bye' });
    expect(upstream.handshakes.at(-1)?.url).toBe('/chat');
  });

  it('relays a 10 MB message intact', async () => {
    const { ws, next } = await open('/open/big');
    const payload = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 4096) payload[i] = i % 251;
    ws.send(payload);
    const echoed = await next();
    expect(echoed.data.length).toBe(payload.length);
    expect(echoed.data.equals(payload)).toBe(true);
    ws.close();
  });

  it("passes the upstream's close code and reason to the client", async () => {
    const { ws, closed } = await open('/open/closing');
    ws.send('close:4001:custom reason');
    expect(await closed).toEqual({ code: 4001, reason: 'custom reason' });
  });

  it('logs one access-log line at close with duration and bytes each way', async () => {
    const { ws, next, closed } = await open('/open/logged');
    ws.send('x'.repeat(1000));
    await next();
    ws.close(1000);
    await closed;
    await expect.poll(() => lines.find((l) => l.path === '/open/logged' && l.status === 101)).toBeTruthy();
    const line = lines.find((l) => l.path === '/open/logged' && l.status === 101) as Record<string, number>;
    expect(line.bytesFromClient).toBeGreaterThan(1000);
    expect(line.bytesToClient).toBeGreaterThan(1000);
    expect(line.durationMs).toBeGreaterThanOrEqual(0);
    expect(['client', 'upstream']).toContain(line.closedBy);
    expect(lines.filter((l) => l.path === '/open/logged')).toHaveLength(1);
  });

  it('refuses an upgrade without a token before reaching the upstream (401)', async () => {
    const before = upstream.handshakes.length;
    const error = await refusal(open('/secure/room'));
    expect(error.status).toBe(401);
    expect(JSON.parse(error.body)).toMatchObject({ code: 'AUTH_ERROR' });
    expect(error.headers['x-request-id']).toBeTruthy();
    expect(upstream.handshakes.length).toBe(before);
  });

  it('refuses a bad token in the query parameter before reaching the upstream (401)', async () => {
    const before = upstream.handshakes.length;
    const error = await refusal(open('/secure/room?access_token=not-a-jwt'));
    expect(error.status).toBe(401);
    expect(upstream.handshakes.length).toBe(before);
  });

  it('accepts a bearer token in Authorization, and the mapping reaches the upstream', async () => {
    const token = await conformanceToken({ sub: 'alice' });
    const { ws } = await open('/secure/room', { headers: { authorization: `Bearer ${token}` } });
    const handshake = upstream.handshakes.at(-1);
    expect(handshake?.headers['x-user']).toBe('alice');
    expect(handshake?.headers.authorization).toBe(`Bearer ${token}`);
    ws.close();
  });

  it('forwards the listening port in X-Forwarded-Port, never the port a client wrote in Host', async () => {
    const { ws } = await open('/open/room', { headers: { host: 'gateway.example:1234' } });
    const handshake = upstream.handshakes.at(-1);
    expect(handshake?.headers['x-forwarded-port']).toBe(new URL(gateway.url).port);
    expect(handshake?.headers['x-forwarded-host']).toBe('gateway.example:1234');
    ws.close();
  });

  it('accepts the token as a query parameter and removes it before forwarding', async () => {
    const token = await conformanceToken({ sub: 'bob' });
    const { ws, next } = await open(`/secure/room?x=1&access_token=${token}`);
    const handshake = upstream.handshakes.at(-1);
    expect(handshake?.url).toBe('/room?x=1');
    expect(handshake?.headers['x-user']).toBe('bob');
    ws.send('ping');
    expect((await next()).data.toString()).toBe('ping');
    ws.close();
    await expect
      .poll(() => lines.find((l) => l.route === 'GET /secure/{.+}' && l.status === 101))
      .toBeTruthy();
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('accepts the token as a subprotocol entry and removes that entry before forwarding', async () => {
    const token = await conformanceToken({ sub: 'carol' });
    const { ws } = await open('/secure/room', {}, ['chat', `bearer.${token}`]);
    const handshake = upstream.handshakes.at(-1);
    expect(handshake?.headers['sec-websocket-protocol']).toBe('chat');
    expect(handshake?.headers['x-user']).toBe('carol');
    expect(ws.protocol).toBe('chat');
    ws.close();
  });

  it('answers 426 on a route with "websocket": false, and the upstream sees nothing', async () => {
    const before = upstream.handshakes.length;
    const error = await refusal(open('/off/chat'));
    expect(error.status).toBe(426);
    expect(JSON.parse(error.body)).toMatchObject({ code: 'ERR_WEBSOCKET_DISABLED' });
    expect(upstream.handshakes.length).toBe(before);
  });

  it('answers 502 when the upstream refuses the upgrade (never a plain GET answer)', async () => {
    const error = await refusal(open('/open/refuse'));
    expect(error.status).toBe(502);
    expect(JSON.parse(error.body)).toMatchObject({ code: 'ERR_UPSTREAM_UPGRADE_REFUSED' });
  });

  it('answers 502 when the upstream cannot be reached', async () => {
    const error = await refusal(open('/dead/chat'));
    expect(error.status).toBe(502);
    expect(JSON.parse(error.body)).toMatchObject({ code: 'ERR_UPSTREAM_UNAVAILABLE' });
  });

  it('closes an idle relay with 1001 on both sides', async () => {
    const { ws, next, closed } = await open('/quiet/chat');
    ws.send('still here');
    await next();
    const started = Date.now();
    expect((await closed).code).toBe(1001);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await expect
      .poll(() => lines.find((l) => l.path === '/quiet/chat' && l.status === 101), { timeout: 8000 })
      .toBeTruthy();
    expect(lines.find((l) => l.path === '/quiet/chat' && l.status === 101)?.closedBy).toBe('idle_timeout');
  });

  it('serves a request asking for another protocol (h2c) as plain HTTP/1.1', async () => {
    const answer = await rawRequest(
      gateway.url,
      `GET /off/plain HTTP/1.1\r\nHost: ${new URL(gateway.url).host}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n`,
    );
    expect(answer.status).toBe(404);
    expect(answer.body).toBe('not a websocket');
  });

  it('refuses another-protocol upgrade carrying a body with 501, forwarding nothing', async () => {
    const before = upstream.handshakes.length;
    const answer = await rawRequest(
      gateway.url,
      `POST /open/x HTTP/1.1\r\nHost: ${new URL(gateway.url).host}\r\nConnection: Upgrade\r\nUpgrade: foo\r\nContent-Length: 5\r\n\r\nhello`,
    );
    expect(answer.status).toBe(501);
    expect(upstream.handshakes.length).toBe(before);
  });

  it("counts upgrades against the route's rate limit: the third is 429 before the upstream", async () => {
    const first = await open('/limited/a');
    const second = await open('/limited/b');
    const before = upstream.handshakes.length;
    const error = await refusal(open('/limited/c'));
    expect(error.status).toBe(429);
    expect(JSON.parse(error.body)).toMatchObject({ code: 'ERR_RATE_LIMITED' });
    expect(upstream.handshakes.length).toBe(before);
    first.ws.close();
    second.ws.close();
  });

  it('keeps answering plain HTTP on the same routes', async () => {
    const response = await fetch(`${gateway.url}/off/anything`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('not a websocket');
  });
});
