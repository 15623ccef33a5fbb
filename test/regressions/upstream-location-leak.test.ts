import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startHostileSetup, type HostileSetup } from './harness.js';

/**
 * Class: upstream-internal addresses leaking through redirects. An absolute Location or
 * Content-Location at the upstream's own origin names an address the client cannot reach and
 * should not learn; it is rewritten to the gateway's public origin and the route's prefix.
 * Route `rewrite_location: false` keeps the upstream's value.
 */
let gw: HostileSetup;
let upstreamOrigin: string;

beforeAll(async () => {
  gw = await startHostileSetup((upstream) => {
    upstreamOrigin = upstream;
    return {
      servers: [
        { alias: 'base', url: `${upstream}/base` },
        { alias: 'root', url: upstream },
      ],
      paths: [
        { method: 'GET', path: '/api/{.+}', integration: { type: 'http_proxy', server: 'base' } },
        { method: 'GET', path: '/exact/self-redirect', integration: { type: 'http_proxy', server: 'root' } },
        {
          method: 'GET',
          path: '/raw/{.+}',
          rewrite_location: false,
          integration: { type: 'http_proxy', server: 'base' },
        },
      ],
    };
  });
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

it('a wildcard route: the upstream base path becomes the route prefix', async () => {
  const response = await gw.send('GET', '/api/v1/self-redirect');
  expect(response.status).toBe(302);
  expect(gw.upstream.requests[0]?.url).toBe('/base/v1/self-redirect');
  expect(response.headers.location).toBe(`http://${gw.host}/api/v1/landed?x=1`);
  expect(response.headers['content-location']).toBe(`http://${gw.host}/api/v1/self-redirect`);
  expect(JSON.stringify(response.headers)).not.toContain(new URL(upstreamOrigin).host);
});

it('an exact route: the path is forwarded whole, so only the origin changes', async () => {
  const response = await gw.send('GET', '/exact/self-redirect');
  expect(response.headers.location).toBe(`http://${gw.host}/exact/landed?x=1`);
});

it('a scheme-relative value at the upstream is rewritten too', async () => {
  const response = await gw.send('GET', '/api/v1/scheme-relative-redirect');
  expect(response.headers.location).toBe(`http://${gw.host}/api/v1/landed`);
});

it('other origins and relative values pass unchanged', async () => {
  const response = await gw.send('GET', '/api/redirect');
  expect(response.headers.location).toBe('/elsewhere');
  expect((await gw.send('GET', '/api/v1/self-redirect')).headers.link).toContain(
    'https://elsewhere.example/doc',
  );
});

it('rewrite_location: false keeps the upstream value', async () => {
  const response = await gw.send('GET', '/raw/self-redirect');
  expect(response.headers.location).toBe(`${upstreamOrigin}/base/landed?x=1`);
});
