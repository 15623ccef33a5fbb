import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostileSetup, type HostileSetup } from './harness.js';

/**
 * Class: cross-user cache leak through the cache key. A route's `cache.key` names the request
 * headers that tell callers apart (`header:Authorization`, `header:X-Tenant`): one caller's
 * stored answer must never be served to another. Config authors write header names in any case;
 * the key read them as written, and node:http holds them lower-case, so on Node a capitalised
 * name read nothing, every caller got the same key, and Bob was served Alice's answer.
 */
let gw: HostileSetup;

beforeAll(async () => {
  gw = await startHostileSetup((upstream) => ({
    servers: [{ alias: 'up', url: upstream }],
    paths: [
      {
        method: 'GET',
        path: '/me/{.+}',
        integration: { type: 'http_proxy', server: 'up' },
        cache: { ttl_s: 60, key: ['header:Authorization'] },
      },
      {
        method: 'GET',
        path: '/tenant/{.+}',
        integration: { type: 'http_proxy', server: 'up' },
        cache: { ttl_s: 60, key: ['header:X-Tenant'] },
      },
    ],
  }));
});

afterAll(async () => {
  await gw?.close();
});

describe('a cache key naming a header in capitals', () => {
  it.each([
    ['Authorization', '/me/profile', 'Bearer alice', 'Bearer bob'],
    ['X-Tenant', '/tenant/orders', 't1', 't2'],
  ])('keeps the answers of two %s values apart', async (header, path, first, second) => {
    gw.upstream.reset();
    const a = await gw.send('GET', path, [`${header}: ${first}`]);
    const again = await gw.send('GET', path, [`${header}: ${first}`]);
    const b = await gw.send('GET', path, [`${header}: ${second}`]);
    expect(a.headers['x-cache']).toBe('MISS');
    expect(again.headers['x-cache']).toBe('HIT');
    // The second caller's own answer, from the upstream: never the first one's stored answer.
    expect(b.headers['x-cache']).toBe('MISS');
    expect(gw.upstream.requests.map((r) => r.headers[header.toLowerCase()])).toEqual([first, second]);
  });
});
