import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GatewayTarget } from '../helpers/targets.js';
import { startWorkerdTarget } from '../helpers/workerd-target.js';

/**
 * The response cache in the Worker (docs/PROTOCOLS.md "Response caching"): the same memory
 * store, per isolate, in real workerd.
 */

let upstream: Server;
let gateway: GatewayTarget;
let calls = 0;

beforeAll(async () => {
  upstream = createServer((_req, res) => {
    calls++;
    res
      .writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'text/plain' })
      .end(`answer ${calls}`);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startWorkerdTarget(
    {
      servers: [{ alias: 'up', url }],
      paths: [
        {
          method: 'GET',
          path: '/c/{.+}',
          integration: { type: 'http_proxy', server: 'up' },
          cache: { ttl_s: 30 },
        },
      ],
    },
    {},
  );
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((resolve) => upstream?.close(() => resolve()));
});

it('serves the second request from the cache, with Age and X-Cache', async () => {
  const first = await fetch(`${gateway.url}/c/item`);
  expect(first.headers.get('x-cache')).toBe('MISS');
  expect(await first.text()).toBe('answer 1');
  const second = await fetch(`${gateway.url}/c/item`);
  expect(second.headers.get('x-cache')).toBe('HIT');
  expect(second.headers.get('age')).not.toBeNull();
  expect(await second.text()).toBe('answer 1');
  expect(calls).toBe(1);
});
