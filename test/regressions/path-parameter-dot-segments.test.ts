import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectBadRequestNothingForwarded, startHostileSetup, type HostileSetup } from './harness.js';

/**
 * Class: path parameters (`;`) hiding dot segments or changing the route. Tomcat, Jetty and
 * Spring drop `;…` up to the next `/` and then resolve the dots, so `/public/..;/admin/secret` is
 * `/admin/secret` to them while a router that does not know `;` sees a public path. The gateway
 * refuses such a path (400) and never forwards a path it decoded into another meaning.
 */
let gw: HostileSetup;

beforeAll(async () => {
  gw = await startHostileSetup((upstream) => ({
    servers: [{ alias: 'up', url: upstream }],
    authorizer: { type: 'jwt', secret: 's'.repeat(32) },
    paths: [
      { method: 'ANY', path: '/public/{.+}', integration: { type: 'http_proxy', server: 'up' } },
      { method: 'ANY', path: '/admin/{.+}', auth: true, integration: { type: 'http_proxy', server: 'up' } },
      { method: 'ANY', path: '/{.+}', integration: { type: 'http_proxy', server: 'up' } },
      { method: 'GET', path: '/files/{name}', integration: { type: 'http_proxy', server: 'up' } },
    ],
  }));
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

describe('dot segments before path parameters', () => {
  it.each([
    '/public/..;/admin/secret',
    '/public/%2e%2e;/admin/secret',
    '/public/%2E%2E;/admin/secret',
    '/public/.%2e;/admin/secret',
    '/public/%2e.;x=1/admin/secret',
    '/public/..;jsessionid=abc/admin/secret',
    '/public/.;/admin/secret',
    '/public/%2e;/admin/secret',
    '/public/..%3b/admin/secret',
    '/public/..%3B/admin/secret',
    '/public/x/..;/..;/admin/secret',
  ])('%s is 400 and nothing is forwarded', (target) => expectBadRequestNothingForwarded(gw, target));
});

describe('path parameters that change the route', () => {
  it.each(['/admin;x/secret', '/admin;/secret', '/admin;jsessionid=1/secret'])(
    '%s would be /admin/secret to a servlet upstream: 400, nothing forwarded',
    (target) => expectBadRequestNothingForwarded(gw, target),
  );

  it('a path parameter that keeps the route is routed and forwarded unchanged', async () => {
    const response = await gw.send('GET', '/public/report;v=2/summary');
    expect(response.status).toBe(200);
    expect(gw.upstream.requests[0]?.url).toBe('/report;v=2/summary');
    const file = await gw.send('GET', '/files/a.txt;v=1');
    expect(file.status).toBe(200);
    expect(gw.upstream.requests[1]?.url).toBe('/files/a.txt;v=1');
  });

  it('a plain dot segment is still resolved before routing (and then authorized)', async () => {
    const response = await gw.send('GET', '/public/../admin/secret');
    expect(response.status).toBe(401);
    expect(gw.upstream.requests).toHaveLength(0);
  });
});
