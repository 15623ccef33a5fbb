import { expect, it } from 'vitest';
import { rawRequest } from '../../helpers/raw-http.js';
import { conformanceToken } from '../../fixtures/keys.js';
import { skipOn, type SuiteContext } from '../suite.js';

/**
 * The runtime-neutral rules of docs/BEHAVIOUR.md "Hostile input", on every runtime. The Node-only
 * classes (framing, deadlines, Expect, draining, upstream faults) are in test/regressions/.
 */
function raw(
  ctx: SuiteContext,
  method: string,
  target: string,
  headers: string[] = [],
): ReturnType<typeof rawRequest> {
  const host = new URL(ctx.target.url).host;
  return rawRequest(
    ctx.target.url,
    `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`,
  );
}

export function hostileCases(ctx: SuiteContext): void {
  it('a path parameter that does not change the route is forwarded as sent', async () => {
    const response = await raw(ctx, 'GET', '/up/file;v=1/x');
    expect(response.status).toBe(200);
    expect(ctx.upstream.requests[0]?.url).toBe('/file;v=1/x');
  });

  it('underscore headers, aliases of mapped headers, Proxy and method overrides never reach the upstream', async () => {
    const token = await conformanceToken({ sub: 'u1' });
    const response = await raw(ctx, 'GET', '/me/x', [
      `Authorization: Bearer ${token}`,
      'X_User: admin',
      'x-user_id: admin',
      'Proxy: http://evil.example',
      'X-HTTP-Method-Override: DELETE',
      'X-Method-Override: DELETE',
      'X-HTTP-Method: DELETE',
    ]);
    expect(response.status).toBe(200);
    const received = ctx.upstream.requests[0]?.headers ?? {};
    expect(received['x-user']).toBe('u1');
    expect(Object.keys(received).filter((name) => name.includes('_'))).toEqual([]);
    for (const name of ['proxy', 'x-http-method-override', 'x-method-override', 'x-http-method'])
      expect(received[name], name).toBeUndefined();
  });

  it('a route with allow_method_override forwards the override headers', async () => {
    await raw(ctx, 'POST', '/override/x', ['X-HTTP-Method-Override: PATCH', 'Content-Length: 0']);
    expect(ctx.upstream.requests[0]?.headers['x-http-method-override']).toBe('PATCH');
  });

  it('the client’s X-Real-IP and X-Forwarded-Port never pass through', async () => {
    await raw(ctx, 'GET', '/up/who', ['X-Real-IP: 6.6.6.6', 'X-Forwarded-Port: 1', 'Forwarded: for=6.6.6.6']);
    const received = ctx.upstream.requests[0]?.headers ?? {};
    expect(received['x-real-ip']).not.toBe('6.6.6.6');
    expect(received['x-forwarded-port']).not.toBe('1');
    expect(received.forwarded).not.toContain('6.6.6.6');
    expect(received['x-forwarded-for']).toBe(received['x-real-ip']);
  });

  it('TRACE is refused on an ANY route, nothing forwarded', async () => {
    const response = await raw(ctx, 'TRACE', '/up/x', ['Cookie: session=secret']);
    expect(response.status).toBe(405);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'ERR_METHOD_NOT_ALLOWED' });
    expect(ctx.upstream.requests).toHaveLength(0);
  });

  it('an absolute Location at the upstream origin is rewritten to the gateway and route prefix', async () => {
    const response = await ctx.request('/proxy/self-redirect');
    expect(response.status).toBe(302);
    const gateway = new URL(ctx.target.url);
    expect(response.headers.get('location')).toBe(`http://${gateway.host}/proxy/landed?x=1`);
    expect(response.headers.get('content-location')).toBe(`http://${gateway.host}/proxy/self-redirect`);
    const untouched = await ctx.request('/raw-location/self-redirect');
    expect(untouched.headers.get('location')).toBe(`${ctx.upstream.url}/base/landed?x=1`);
  });

  // idle_timeout_ms is applied by the Node upstream client (undici's body timeout). On Workers a
  // body watcher would turn a sized response into a chunked one that workerd then ends cleanly
  // when cut, which is worse than Cloudflare's own subrequest limits.
  skipOn(
    ctx,
    'workerd',
    'idle_timeout_ms is Node-only (docs/CONFIG.md)',
  )('an upstream silent mid-body for idle_timeout_ms cuts the response', async () => {
    const started = Date.now();
    const response = await ctx.request('/quiet/stall-mid-body', {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('X-Request-Id is exposed to browser code whenever CORS applies', async () => {
    const response = await ctx.request('/health', { headers: { origin: 'https://app.example.com' } });
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(',');
    expect(exposed).toContain('x-request-id');
  });
}
