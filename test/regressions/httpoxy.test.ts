import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startPublicProxy, type HostileSetup } from './harness.js';

/**
 * Class: httpoxy (CVE-2016-5385). A CGI upstream exposes the `Proxy` request header as
 * `HTTP_PROXY`, which many HTTP client libraries read as their outbound proxy. The gateway never
 * forwards `Proxy`, in any case or spelling.
 */
let gw: HostileSetup;

beforeAll(async () => {
  gw = await startPublicProxy({ allow_underscores_in_headers: true });
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

it.each(['Proxy: http://evil.example:8080', 'PROXY: http://evil.example:8080', 'proxy: x'])(
  '%s is not forwarded',
  async (header) => {
    const response = await gw.send('GET', '/public/x', [header, 'X-Kept: yes']);
    expect(response.status).toBe(200);
    const received = gw.upstream.requests[0];
    expect(received?.headers['proxy']).toBeUndefined();
    expect(received?.headers['x-kept']).toBe('yes');
  },
);
