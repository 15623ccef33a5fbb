import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { createJsonLogger } from '../../src/observability/logger.js';
import { startSwitchableUpstream, type SwitchableUpstream } from '../fixtures/switchable-upstream.js';
import { freePort } from '../fixtures/loopback.js';
import { rawRequest } from '../helpers/raw-http.js';

/**
 * Retries on a pool through `gatehouse start` (docs/PROTOCOLS.md "Retries"): a pool of a dead
 * URL (connections refused) and a live one, with a breaker that never opens so every other
 * request meets the dead URL first. A fresh gateway per test, so each starts with a full budget.
 */

let live: SwitchableUpstream;
let deadUrl: string;
let gateway: RunningGatehouse | undefined;
let lines: Record<string, unknown>[];

beforeAll(async () => {
  live = await startSwitchableUpstream('live');
  deadUrl = `http://127.0.0.1:${await freePort()}`;
});

beforeEach(async () => {
  await gateway?.close(200);
  lines = [];
  live.hits = 0;
  gateway = await startGatehouse({
    source: inlineConfigSource({
      servers: [{ alias: 'pool', url: [deadUrl, live.url], circuit_breaker: { failures: 1000 } }],
      paths: [{ method: 'ANY', path: '/{.+}', integration: { type: 'http_proxy', server: 'pool' } }],
    }),
    env: {},
    port: 0,
    logger: createJsonLogger('info', (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.msg === 'request') lines.push(parsed);
    }),
  });
});

afterAll(async () => {
  await gateway?.close(200);
  await live?.kill();
});

it('retries a GET that met a refused connection on the other URL', async () => {
  const response = await fetch(`${gateway!.url}/a`);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe('live');
  expect(lines.at(-1)).toMatchObject({ status: 200, retries: 1 });
});

it('never retries a POST with a body: 502, and the live URL saw nothing', async () => {
  const response = await fetch(`${gateway!.url}/a`, { method: 'POST', body: 'order #1' });
  expect(response.status).toBe(502);
  expect(live.hits).toBe(0);
  expect(lines.at(-1)?.retries).toBeUndefined();
});

it('retries a body-less POST only because the connection was refused (it never reached anyone)', async () => {
  const response = await fetch(`${gateway!.url}/a`, { method: 'POST' });
  expect(response.status).toBe(200);
  expect(live.hits).toBe(1);
});

it('holds the budget: at most max(3, 20% of requests) retries per window', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) statuses.push((await fetch(`${gateway!.url}/b`)).status);
  const retried = lines.filter((line) => line.retries === 1).length;
  // Round-robin with a retry taking the live URL's turn: every request meets the dead URL
  // first while retries are granted (the floor of 3, then 20% of the requests so far), and
  // every other one once they are refused. 20 requests: 4 retries (= 20%), 8 refused with 502.
  expect(retried).toBe(4);
  expect(retried).toBeLessThanOrEqual(Math.max(3, 0.2 * 20));
  expect(statuses.filter((s) => s === 502)).toHaveLength(8);
  expect(statuses.filter((s) => s === 200)).toHaveLength(12);
});

describe('an idempotent request without a body, after the upstream reset the connection', () => {
  // The first URL reads each request and resets the connection: the request reached it, so only
  // an idempotent method without a body may go again (RFC 9112 §6.3: with neither Content-Length
  // nor Transfer-Encoding an HTTP/1.1 request has none).
  let resetting: Server;
  let resetHits = 0;
  let pooled: RunningGatehouse;

  beforeAll(async () => {
    resetting = createServer((request) => {
      resetHits++;
      request.socket.destroy();
    });
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    const { port } = resetting.address() as AddressInfo;
    pooled = await startGatehouse({
      source: inlineConfigSource({
        servers: [
          { alias: 'pool', url: [`http://127.0.0.1:${port}`, live.url], circuit_breaker: { failures: 1000 } },
        ],
        paths: [{ method: 'ANY', path: '/{.+}', integration: { type: 'http_proxy', server: 'pool' } }],
      }),
      env: {},
      port: 0,
      logger: createJsonLogger('silent', () => undefined),
    });
  });

  afterAll(async () => {
    await pooled?.close(200);
    await new Promise((resolve) => resetting?.close(resolve));
  });

  // One request at a time: each meets the resetting URL first (the rotation comes back to it
  // after every retry), and two retries stay within the budget's floor of 3.
  it.each(['DELETE', 'OPTIONS'])(
    'retries a %s with neither Content-Length nor Transfer-Encoding',
    async (method) => {
      const before = { reset: resetHits, live: live.hits };
      const answer = await rawRequest(
        pooled.url,
        `${method} /x HTTP/1.1\r\nHost: gateway.example\r\nConnection: close\r\n\r\n`,
      );
      expect(answer.status).toBe(200);
      expect(resetHits - before.reset).toBe(1);
      expect(live.hits - before.live).toBe(1);
    },
  );

  it('never retries a POST without a body (no Content-Length) that reached the upstream: 502', async () => {
    const before = { reset: resetHits, live: live.hits };
    const answer = await rawRequest(
      pooled.url,
      'POST /x HTTP/1.1\r\nHost: gateway.example\r\nConnection: close\r\n\r\n',
    );
    expect(answer.status).toBe(502);
    expect(resetHits - before.reset).toBe(1);
    expect(live.hits).toBe(before.live);
  });
});
