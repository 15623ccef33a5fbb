import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorkerd, type RunningWorkerd } from '../helpers/workerd-target.js';
import { closeServer, freePort, listenOnLoopback } from '../fixtures/loopback.js';

/**
 * The response cache in the Worker, in real workerd (docs/PROTOCOLS.md "Response caching"): the
 * isolate's memory store in front of the Cache API. Miniflare gives workerd its Cache API
 * service, persisted in a directory here, so a second workerd (a new isolate, empty memory) on
 * the same address must find what the first one stored: the proof that answers went to the
 * Cache API and not only to memory. Plain workerd without a cache service refuses the Cache
 * API ("No Cache was configured"); the store then caches in memory only (logged once).
 */

let upstream: Server;
let worker: RunningWorkerd | undefined;
let persist: string;
let port: number;
let config: string;
const calls = new Map<string, number>();
const seen = new Map<string, IncomingHttpHeaders>();
let failing = false;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const n = (calls.get(path) ?? 0) + 1;
    calls.set(path, n);
    seen.set(path, req.headers);
    if (failing) return void res.writeHead(503).end('down');
    if (path === '/etag' && req.headers['if-none-match'] === '"v1"')
      return void res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=60' }).end();
    const policy: Record<string, string> = {
      '/etag': 'max-age=1',
      '/sie': 'max-age=1, stale-if-error=60',
    };
    res.writeHead(200, {
      'cache-control': policy[path] ?? 'max-age=60',
      'content-type': 'text/plain',
      etag: '"v1"',
      ...(path === '/vary' ? { vary: 'accept-language' } : {}),
    });
    res.end(`${path} ${n} ${req.headers['accept-language'] ?? ''}`.trim());
  });
  const url = await listenOnLoopback(upstream);
  config = JSON.stringify({
    servers: [{ alias: 'up', url }],
    paths: [
      {
        method: 'GET',
        path: '/c/{.+}',
        integration: { type: 'http_proxy', server: 'up' },
        cache: { ttl_s: 30 },
      },
    ],
  });
  persist = mkdtempSync(join(tmpdir(), 'gatehouse-cache-'));
  port = await freePort();
  worker = await start();
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await closeServer(upstream);
  rmSync(persist, { recursive: true, force: true });
});

/** A workerd serving the config on the same address, with the same Cache API directory. */
function start(): Promise<RunningWorkerd> {
  return startWorkerd({
    port,
    cachePersist: persist,
    bindings: { SAG_API_CONFIG_JSON: config, GATEHOUSE_LOG_LEVEL: 'warn' },
  });
}

async function restart(): Promise<void> {
  await worker?.close();
  worker = undefined;
  worker = await start();
}

async function get(
  path: string,
  init: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  // undici's request: fetch would add Cache-Control: no-cache to a conditional request.
  const response = await request(`http://127.0.0.1:${port}${path}`, init);
  return { status: response.statusCode, body: await response.body.text(), headers: response.headers };
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The Cache API write happens after the response (`waitUntil`): waits until Miniflare's cache
 * holds the entries of `paths` (a path with the request header values its variant is keyed by),
 * under the key scheme of src/adapters/workers/cache-api-store.ts.
 */
async function storedInCacheApi(paths: readonly [string, string[]?][]): Promise<void> {
  const origin = `http://127.0.0.1:${port}`;
  const urls = paths.map(([path, vary]) => {
    const key = `127.0.0.1:${port}${path}`;
    const material = vary === undefined ? key : `${key}\0${JSON.stringify(vary)}`;
    return `${origin}/.gatehouse-cache/${vary === undefined ? '' : 'v/'}${createHash('sha256').update(material).digest('hex')}`;
  });
  const caches = (await worker!.miniflare.getCaches()) as unknown as CacheStorage;
  const cache = await caches.open('gatehouse-responses');
  for (let i = 0; i < 100; i++) {
    const found = await Promise.all(
      urls.map(async (url) => {
        const response = await cache.match(url);
        await response?.arrayBuffer();
        return response !== undefined;
      }),
    );
    if (found.every(Boolean)) return;
    await settle(50);
  }
  throw new Error('the Cache API did not receive the entries within 5 s');
}

it('serves the second request from the isolate, with Age and X-Cache', async () => {
  const first = await get('/c/item');
  expect(first.headers['x-cache']).toBe('MISS');
  expect(first.body).toBe('/item 1');
  const second = await get('/c/item');
  expect(second.headers['x-cache']).toBe('HIT');
  expect(second.headers.age).toBeDefined();
  expect(second.body).toBe('/item 1');
  expect(calls.get('/item')).toBe(1);
});

it('keeps answers in the Cache API: a new workerd serves them without asking the upstream', async () => {
  await get('/c/shared');
  await get('/c/vary', { headers: { 'accept-language': 'en' } });
  await get('/c/vary', { headers: { 'accept-language': 'de' } });
  await get('/c/etag');
  await get('/c/sie');
  await storedInCacheApi([
    ['/c/shared'],
    ['/c/vary'],
    ['/c/vary', ['en']],
    ['/c/vary', ['de']],
    ['/c/etag'],
    ['/c/sie'],
  ]);
  await restart();
  const shared = await get('/c/shared');
  expect(shared.headers['x-cache']).toBe('HIT');
  expect(shared.body).toBe('/shared 1');
  expect(calls.get('/shared')).toBe(1);
  // One entry per Vary-ed value, each found again.
  expect((await get('/c/vary', { headers: { 'accept-language': 'de' } })).body).toBe('/vary 2 de');
  expect((await get('/c/vary', { headers: { 'accept-language': 'en' } })).body).toBe('/vary 1 en');
  expect((await get('/c/vary', { headers: { 'accept-language': 'fr' } })).headers['x-cache']).toBe('MISS');
  expect(calls.get('/vary')).toBe(3);
  expect(worker?.logs.join('\n')).not.toContain('cache api unavailable');
});

it('revalidates a stale Cache API entry with If-None-Match; a 304 makes it a HIT', async () => {
  await settle(1_000); // /etag is fresh for 1 s
  const revalidated = await get('/c/etag');
  expect(revalidated.status).toBe(200);
  expect(revalidated.body).toBe('/etag 1');
  expect(revalidated.headers['x-cache']).toBe('HIT');
  expect(seen.get('/etag')?.['if-none-match']).toBe('"v1"');
  expect(calls.get('/etag')).toBe(2);
});

it('serves a stale entry within stale-if-error when the upstream answers 503', async () => {
  failing = true;
  try {
    const rescued = await get('/c/sie');
    expect(rescued.status).toBe(200);
    expect(rescued.body).toBe('/sie 1');
    expect(rescued.headers['x-cache']).toBe('STALE');
  } finally {
    failing = false;
  }
});

it('answers HEAD and a matching conditional request from the stored GET', async () => {
  const head = await get('/c/shared', { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(head.body).toBe('');
  expect(head.headers['x-cache']).toBe('HIT');
  const notModified = await get('/c/shared', { headers: { 'if-none-match': '"v1"' } });
  expect(notModified.status).toBe(304);
  expect(notModified.headers.etag).toBe('"v1"');
  expect(calls.get('/shared')).toBe(1);
});
