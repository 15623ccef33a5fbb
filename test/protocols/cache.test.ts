import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import { closeServer, listenOnLoopback, startInlineGatehouse } from '../fixtures/loopback.js';
import { CONFORMANCE_JWT_AUTHORIZER, conformanceToken } from '../fixtures/keys.js';

/**
 * Response caching through `gatehouse start` (docs/PROTOCOLS.md "Response caching") against a
 * real upstream that counts its calls: hits with Age and X-Cache, misses, Vary, the
 * Authorization rule, no-store, ETag revalidation, and 100 concurrent misses → 1 upstream call.
 */

let upstream: Server;
let gateway: RunningGatehouse;
const calls = new Map<string, number>();
let revalidations = 0;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    calls.set(path, (calls.get(path) ?? 0) + 1);
    const n = calls.get(path);
    if (path === '/slow') {
      setTimeout(() => res.writeHead(200, { 'cache-control': 'max-age=60' }).end(`slow ${n}`), 300);
      return;
    }
    if (path === '/nostore') return void res.writeHead(200, { 'cache-control': 'no-store' }).end(`n ${n}`);
    if (path === '/big') {
      // 40 KiB in chunks without Content-Length: more than a quarter of the 64 KiB store.
      res.writeHead(200, { 'cache-control': 'max-age=60' });
      for (let i = 0; i < 40; i++) res.write('x'.repeat(1024));
      return void res.end();
    }
    if (path === '/plain') return void res.writeHead(200).end(`plain ${n}`);
    if (path === '/aged')
      return void res.writeHead(200, { 'cache-control': 'max-age=60', age: '5' }).end(`aged ${n}`);
    if (path === '/public')
      return void res.writeHead(200, { 'cache-control': 'public, max-age=60' }).end(`pub ${n}`);
    if (path === '/vary') {
      res.writeHead(200, { 'cache-control': 'max-age=60', vary: 'Accept-Language' });
      return void res.end(`${req.headers['accept-language'] ?? 'none'} ${n}`);
    }
    if (path === '/etag') {
      if (req.headers['if-none-match'] === '"v1"') {
        revalidations++;
        return void res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=1' }).end();
      }
      return void res.writeHead(200, { etag: '"v1"', 'cache-control': 'max-age=1' }).end(`etag ${n}`);
    }
    res.writeHead(200, { 'cache-control': 'max-age=60' }).end(`${path} ${n}`);
  });
  const url = await listenOnLoopback(upstream);
  gateway = await startInlineGatehouse({
    servers: [{ alias: 'up', url }],
    gateway: { cache_max_bytes: 64 * 1024 },
    authorizer: CONFORMANCE_JWT_AUTHORIZER,
    paths: [
      {
        method: 'GET',
        path: '/c/{.+}',
        integration: { type: 'http_proxy', server: 'up' },
        cache: { ttl_s: 30 },
      },
      {
        method: 'GET',
        path: '/auth/{.+}',
        auth: true,
        integration: { type: 'http_proxy', server: 'up' },
        cache: { ttl_s: 30 },
      },
      {
        method: 'GET',
        path: '/mine/{.+}',
        auth: true,
        integration: { type: 'http_proxy', server: 'up' },
        cache: { ttl_s: 30, key: ['claim:sub'] },
      },
    ],
  });
});

afterAll(async () => {
  await gateway?.close(500);
  await closeServer(upstream);
});

async function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(`${gateway.url}${path}`, { headers });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

describe('response caching', () => {
  it('stores a cacheable answer: MISS, then HIT with Age, one upstream call', async () => {
    const first = await get('/c/item');
    expect(first.headers.get('x-cache')).toBe('MISS');
    const second = await get('/c/item');
    expect(second.body).toBe(first.body);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(Number(second.headers.get('age'))).toBeGreaterThanOrEqual(0);
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    expect(calls.get('/item')).toBe(1);
    // Another query is another key.
    expect((await get('/c/item?page=2')).headers.get('x-cache')).toBe('MISS');
  });

  it("counts a hit's Age in whole seconds from the upstream's Age, and it grows as time passes", async () => {
    // A hit's header record is kept per entry and rebuilt when Age changes (cache-step.ts):
    // the same second gives the same Age, a later one a larger one, and entries never share it.
    expect((await get('/c/aged')).headers.get('x-cache')).toBe('MISS');
    const first = await get('/c/aged');
    expect(first.headers.get('x-cache')).toBe('HIT');
    const age = Number(first.headers.get('age'));
    expect(age).toBeGreaterThanOrEqual(5);
    expect(age).toBeLessThan(8);
    expect((await get('/c/item')).headers.get('age')).not.toBe(first.headers.get('age'));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const later = await get('/c/aged');
    expect(Number(later.headers.get('age'))).toBeGreaterThan(age);
    expect(later.body).toBe(first.body);
    expect(calls.get('/aged')).toBe(1);
  });

  it('uses the route ttl_s when the upstream says nothing; never stores no-store', async () => {
    await get('/c/plain');
    expect((await get('/c/plain')).headers.get('x-cache')).toBe('HIT');
    await get('/c/nostore');
    expect((await get('/c/nostore')).headers.get('x-cache')).toBe('MISS');
    expect(calls.get('/nostore')).toBe(2);
  });

  it('streams a body larger than the entry limit through whole, unstored', async () => {
    for (let i = 0; i < 2; i++) {
      const big = await get('/c/big');
      expect(big.body.length).toBe(40 * 1024);
      expect(big.headers.get('x-cache')).toBe('MISS');
    }
    expect(calls.get('/big')).toBe(2);
  });

  it('keeps one variant per Vary-ed request header value', async () => {
    const en = await get('/c/vary', { 'accept-language': 'en' });
    const de = await get('/c/vary', { 'accept-language': 'de' });
    expect(en.body).toMatch(/^en /);
    expect(de.body).toMatch(/^de /);
    expect((await get('/c/vary', { 'accept-language': 'en' })).body).toBe(en.body);
    expect((await get('/c/vary', { 'accept-language': 'de' })).headers.get('x-cache')).toBe('HIT');
    expect(calls.get('/vary')).toBe(2);
  });

  it('never stores an answer to an authorized request unless the response allows it', async () => {
    const alice = await conformanceToken({ sub: 'alice' });
    const bob = await conformanceToken({ sub: 'bob' });
    await get('/auth/plain-auth', { authorization: `Bearer ${alice}` });
    const again = await get('/auth/plain-auth', { authorization: `Bearer ${bob}` });
    expect(again.headers.get('x-cache')).toBe('MISS');
    expect(calls.get('/plain-auth')).toBe(2);
    await get('/auth/public', { authorization: `Bearer ${alice}` });
    expect((await get('/auth/public', { authorization: `Bearer ${bob}` })).headers.get('x-cache')).toBe(
      'HIT',
    );
  });

  it('stores per identity when the key holds the subject claim', async () => {
    const alice = await conformanceToken({ sub: 'alice' });
    const bob = await conformanceToken({ sub: 'bob' });
    const a1 = await get('/mine/profile', { authorization: `Bearer ${alice}` });
    const b1 = await get('/mine/profile', { authorization: `Bearer ${bob}` });
    expect(b1.headers.get('x-cache')).toBe('MISS');
    const a2 = await get('/mine/profile', { authorization: `Bearer ${alice}` });
    expect(a2.headers.get('x-cache')).toBe('HIT');
    expect(a2.body).toBe(a1.body);
    // A cached answer is still only for authorized requests.
    expect((await get('/mine/profile')).status).toBe(401);
  });

  it('revalidates a stale answer with If-None-Match and serves it again on 304', async () => {
    const first = await get('/c/etag');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await get('/c/etag');
    expect(second.status).toBe(200);
    expect(second.body).toBe(first.body);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(revalidations).toBe(1);
  });

  it('sends 100 concurrent misses of one key upstream once', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, () => get('/c/slow')));
    expect(calls.get('/slow')).toBe(1);
    expect(new Set(answers.map((a) => a.body))).toEqual(new Set(['slow 1']));
    expect(answers.filter((a) => a.headers.get('x-cache') === 'HIT').length).toBe(99);
  });
});
