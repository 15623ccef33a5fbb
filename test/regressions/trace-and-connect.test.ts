import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { bodyOf, startHostileSetup, type HostileSetup } from './harness.js';

/**
 * Class: methods that turn the gateway into something else. TRACE reflects the request
 * (cookies, Authorization) back to a script; CONNECT asks for a tunnel. Both are refused on
 * every route, `ANY` included, and never forwarded: TRACE 405, CONNECT 501.
 */
let gw: HostileSetup;

beforeAll(async () => {
  gw = await startHostileSetup((upstream) => ({
    servers: [{ alias: 'up', url: upstream }],
    paths: [
      { method: 'ANY', path: '/any/{.+}', integration: { type: 'http_proxy', server: 'up' } },
      { method: 'GET', path: '/get-only', integration: { type: 'http_proxy', server: 'up' } },
    ],
  }));
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

it.each(['/any/x', '/get-only', '/nowhere'])('TRACE %s → 405 ERR_METHOD_NOT_ALLOWED', async (path) => {
  const response = await gw.send('TRACE', path, ['Cookie: session=secret']);
  expect(response.status).toBe(405);
  expect(bodyOf(response)).toMatchObject({ code: 'ERR_METHOD_NOT_ALLOWED' });
  expect(response.body).not.toContain('secret');
  expect(gw.upstream.requests).toHaveLength(0);
});

it('TRACE names the methods the path allows', async () => {
  expect((await gw.send('TRACE', '/get-only')).headers.allow).toBe('GET, HEAD');
  expect((await gw.send('TRACE', '/any/x')).headers.allow).not.toContain('TRACE');
});

it.each([`127.0.0.1:1`, 'example.com:443'])('CONNECT %s → 501 ERR_NOT_IMPLEMENTED', async (authority) => {
  const response = await gw.raw(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  expect(response.status).toBe(501);
  expect(bodyOf(response)).toMatchObject({ code: 'ERR_NOT_IMPLEMENTED' });
  expect(response.headers['x-request-id']).toBeTruthy();
  expect(gw.upstream.requests).toHaveLength(0);
});
