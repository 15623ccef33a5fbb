import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startHostileSetup, type HostileSetup } from './harness.js';

/**
 * Class: method-override headers. Frameworks that honour `X-HTTP-Method-Override` (and
 * `X-HTTP-Method`, `X-Method-Override`) would run a DELETE behind a route that only allows POST.
 * They are removed unless the route sets `allow_method_override: true`.
 */
let gw: HostileSetup;
const OVERRIDES = ['X-HTTP-Method-Override: DELETE', 'X-HTTP-Method: DELETE', 'X-Method-Override: DELETE'];

beforeAll(async () => {
  gw = await startHostileSetup((upstream) => ({
    servers: [{ alias: 'up', url: upstream }],
    paths: [
      { method: 'POST', path: '/orders', integration: { type: 'http_proxy', server: 'up' } },
      {
        method: 'POST',
        path: '/legacy',
        allow_method_override: true,
        integration: { type: 'http_proxy', server: 'up' },
      },
    ],
  }));
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

it('removed by default', async () => {
  const response = await gw.send('POST', '/orders', OVERRIDES, '{}');
  expect(response.status).toBe(200);
  const headers = gw.upstream.requests[0]?.headers ?? {};
  expect(headers['x-http-method-override']).toBeUndefined();
  expect(headers['x-http-method']).toBeUndefined();
  expect(headers['x-method-override']).toBeUndefined();
});

it('forwarded on a route with allow_method_override', async () => {
  const response = await gw.send('POST', '/legacy', OVERRIDES, '{}');
  expect(response.status).toBe(200);
  const headers = gw.upstream.requests[0]?.headers ?? {};
  expect(headers['x-http-method-override']).toBe('DELETE');
  expect(headers['x-http-method']).toBe('DELETE');
  expect(headers['x-method-override']).toBe('DELETE');
});
