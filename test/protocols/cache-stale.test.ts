import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import { closeServer, listenOnLoopback, startInlineGatehouse } from '../fixtures/loopback.js';

/**
 * The response cache's RFC 5861 extensions and what it answers itself, through `gatehouse start`
 * against real upstreams on 127.0.0.1 (docs/PROTOCOLS.md "Response caching"):
 * stale-while-revalidate, stale-if-error (an upstream answering 503 and one that is gone), HEAD
 * from a stored GET, and a client's If-None-Match / If-Modified-Since answered with 304.
 */

let upstream: Server;
let doomed: Server;
let gateway: RunningGatehouse;
const calls = new Map<string, number>();
const seen = new Map<string, IncomingHttpHeaders>();
let failing = false;
const LAST_MODIFIED = 'Tue, 01 Dec 2026 00:00:00 GMT';

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const n = (calls.get(path) ?? 0) + 1;
    calls.set(path, n);
    seen.set(path, req.headers);
    if (failing && path !== '/swr') return void res.writeHead(503).end('upstream overloaded');
    // The background revalidation takes a while: answers meanwhile are the stale one.
    if (path === '/swr' && n > 1) return void setTimeout(() => answer(req, res, path, n), 300);
    answer(req, res, path, n);
  });
  const answer = (req: IncomingMessage, res: ServerResponse, path: string, n: number): void => {
    const policy: Record<string, string> = {
      '/swr': 'max-age=1, stale-while-revalidate=30',
      '/sie': 'max-age=1, stale-if-error=30',
      '/strict': 'max-age=1, must-revalidate, stale-if-error=30',
      '/short': 'max-age=1',
    };
    res.writeHead(200, {
      'cache-control': policy[path] ?? 'max-age=60',
      etag: '"abc"',
      'last-modified': LAST_MODIFIED,
      'content-type': 'text/plain',
    });
    res.end(req.method === 'HEAD' ? undefined : `${path} ${n}`);
  };
  doomed = createServer((_req, res) => {
    res.writeHead(200, { 'cache-control': 'max-age=1' }).end('from the doomed upstream');
  });
  const [url, doomedUrl] = await Promise.all([listenOnLoopback(upstream), listenOnLoopback(doomed)]);
  gateway = await startInlineGatehouse({
    servers: [
      { alias: 'up', url },
      { alias: 'doomed', url: doomedUrl },
    ],
    paths: [
      {
        method: 'GET',
        path: '/c/{.+}',
        integration: { type: 'http_proxy', server: 'up' },
        cache: { ttl_s: 30 },
      },
      {
        method: 'GET',
        path: '/gone/{.+}',
        integration: { type: 'http_proxy', server: 'doomed' },
        // The upstream says nothing about stale answers: the route's default applies.
        cache: { ttl_s: 30, stale_if_error_s: 30 },
      },
    ],
  });
});

afterAll(async () => {
  await gateway?.close(500);
  for (const server of [upstream, doomed]) {
    await closeServer(server);
  }
});

/**
 * undici's `request`, not `fetch`: fetch adds `Cache-Control: no-cache` to a request carrying
 * If-None-Match or If-Modified-Since (Fetch standard, HTTP-network-or-cache fetch), which makes
 * any cache go upstream; a browser revalidating its own copy sends the validator alone.
 */
async function get(
  path: string,
  init: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await request(`${gateway.url}${path}`, init);
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers))
    if (typeof value === 'string') headers.set(name, value);
  return { status: response.statusCode, body: await response.body.text(), headers };
}

const pastMaxAge = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1_200));

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('stale-while-revalidate (RFC 5861 §3)', () => {
  it('serves the stale answer at once and refreshes it once in the background', async () => {
    expect((await get('/c/swr')).body).toBe('/swr 1');
    await pastMaxAge();
    const stale = await Promise.all([get('/c/swr'), get('/c/swr'), get('/c/swr')]);
    for (const answer of stale) {
      expect(answer.body).toBe('/swr 1');
      expect(answer.headers.get('x-cache')).toBe('STALE');
    }
    await eventually(() => calls.get('/swr') === 2);
    expect(calls.get('/swr')).toBe(2);
    // The background request revalidated with the stored validator.
    expect(seen.get('/swr')?.['if-none-match']).toBe('"abc"');
    await new Promise((resolve) => setTimeout(resolve, 700)); // the refreshed entry lands (300 ms upstream)
    const fresh = await get('/c/swr');
    expect(fresh.headers.get('x-cache')).toBe('HIT');
    expect(fresh.body).toBe('/swr 2');
    expect(calls.get('/swr')).toBe(2);
  });
});

describe('stale-if-error (RFC 5861 §4)', () => {
  it('serves the stale answer when the upstream answers 503, and passes the 503 on without it', async () => {
    expect((await get('/c/sie')).body).toBe('/sie 1');
    expect((await get('/c/short')).body).toBe('/short 1');
    expect((await get('/c/strict')).body).toBe('/strict 1');
    await pastMaxAge();
    failing = true;
    try {
      const rescued = await get('/c/sie');
      expect(rescued.status).toBe(200);
      expect(rescued.body).toBe('/sie 1');
      expect(rescued.headers.get('x-cache')).toBe('STALE');
      expect(calls.get('/sie')).toBe(2); // the upstream was asked, and failed
      const plain = await get('/c/short');
      expect(plain.status).toBe(503);
      expect(plain.headers.get('x-cache')).toBe('MISS');
      // must-revalidate forbids a stale answer (RFC 9111 §4.2.4), whatever stale-if-error says.
      expect((await get('/c/strict')).status).toBe(503);
    } finally {
      failing = false;
    }
    const recovered = await get('/c/sie');
    expect(recovered.headers.get('x-cache')).toBe('MISS');
    expect(recovered.body).toBe('/sie 3');
  });

  it("serves the stale answer when the upstream is gone (the route's stale_if_error_s)", async () => {
    expect((await get('/gone/x')).body).toBe('from the doomed upstream');
    await closeServer(doomed);
    await pastMaxAge();
    const rescued = await get('/gone/x');
    expect(rescued.status).toBe(200);
    expect(rescued.body).toBe('from the doomed upstream');
    expect(rescued.headers.get('x-cache')).toBe('STALE');
    // Without a stored answer the failure is the usual 502.
    const missing = await get('/gone/other');
    expect(missing.status).toBe(502);
  });
});

describe('HEAD and conditional requests answered from the cache', () => {
  it('answers HEAD from the stored GET: headers, no body, no upstream call', async () => {
    const got = await get('/c/head');
    const head = await get('/c/head', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers.get('x-cache')).toBe('HIT');
    expect(head.headers.get('etag')).toBe('"abc"');
    expect(head.headers.get('content-length')).toBe(String(got.body.length));
    expect(calls.get('/head')).toBe(1);
    // A HEAD with nothing stored goes upstream as a HEAD, and stores nothing.
    const first = await get('/c/head-first', { method: 'HEAD' });
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect((await get('/c/head-first')).headers.get('x-cache')).toBe('MISS');
    expect(calls.get('/head-first')).toBe(2);
  });

  it("answers a client's If-None-Match and If-Modified-Since with 304 when the stored answer matches", async () => {
    await get('/c/cond');
    const cases: [Record<string, string>, number][] = [
      [{ 'if-none-match': '"abc"' }, 304],
      [{ 'if-none-match': '"x", W/"abc"' }, 304],
      [{ 'if-none-match': '*' }, 304],
      [{ 'if-none-match': '"other"' }, 200],
      [{ 'if-modified-since': LAST_MODIFIED }, 304],
      [{ 'if-modified-since': 'Mon, 30 Nov 2026 00:00:00 GMT' }, 200],
      // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
      [{ 'if-none-match': '"other"', 'if-modified-since': LAST_MODIFIED }, 200],
    ];
    for (const [headers, status] of cases) {
      const answer = await get('/c/cond', { headers });
      expect({ headers, status: answer.status }).toEqual({ headers, status });
      expect(answer.headers.get('x-cache')).toBe('HIT');
      if (status === 304) {
        expect(answer.body).toBe('');
        expect(answer.headers.get('etag')).toBe('"abc"');
        expect(answer.headers.get('cache-control')).toBe('max-age=60');
      } else expect(answer.body).toBe('/cond 1');
    }
    expect(calls.get('/cond')).toBe(1);
  });

  it('forwards a conditional request untouched when nothing is stored', async () => {
    const answer = await get('/c/cond-new', { headers: { 'if-none-match': '"zzz"' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-cache')).toBe('MISS');
    expect(seen.get('/cond-new')?.['if-none-match']).toBe('"zzz"');
  });
});
