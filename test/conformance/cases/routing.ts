import { expect, it } from 'vitest';
import type { SuiteContext } from '../suite.js';

async function routeOf(ctx: SuiteContext, path: string, method = 'GET'): Promise<unknown> {
  const response = await ctx.request(path, { method });
  expect(response.status, `${method} ${path}`).toBe(200);
  return ((await response.json()) as { route: unknown }).route;
}

export function routingCases(ctx: SuiteContext): void {
  it('a literal route beats a parameter route, which beats a wildcard', async () => {
    expect(await routeOf(ctx, '/items/special')).toBe('literal');
    expect(await routeOf(ctx, '/items/42')).toBe('param');
    expect(await routeOf(ctx, '/items/42/more')).toBe('wildcard');
  });

  it('a one-segment wildcard never beats a parameter route (compat row 11)', async () => {
    expect(await routeOf(ctx, '/items/7')).toBe('param');
  });

  it('the wildcard matches zero segments after its prefix', async () => {
    expect(await routeOf(ctx, '/items')).toBe('wildcard');
  });

  it('among wildcards the longer prefix wins', async () => {
    expect(await routeOf(ctx, '/deep/er/x')).toBe('deeper-wildcard');
    expect(await routeOf(ctx, '/deep/x')).toBe('deep-wildcard');
  });

  it('among parameter routes the later first parameter wins', async () => {
    expect(await routeOf(ctx, '/a/b/c')).toBe('later-param');
    expect(await routeOf(ctx, '/a/z/c')).toBe('earlier-param');
  });

  it("a route with the request's own method beats ANY on the same pattern; a literal beats both", async () => {
    expect(await routeOf(ctx, '/users/42')).toBe('get-param');
    expect(await routeOf(ctx, '/users/42', 'DELETE')).toBe('any-param');
    expect(await routeOf(ctx, '/users/me')).toBe('get-literal');
  });

  it('HEAD is served by a GET route, without a body', async () => {
    const response = await ctx.request('/health', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('a known path with another method is 405 with Allow', async () => {
    const response = await ctx.request('/only-post', { method: 'GET' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, PUT');
    expect(await response.json()).toEqual({ error: 'Method not allowed', code: 'ERR_METHOD_NOT_ALLOWED' });
  });

  it('an unknown path is 404 with the compatible body', async () => {
    const response = await ctx.request('/nowhere/at/all', { method: 'POST' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      message: 'No match found.',
      error: 'No match found.',
      code: 'ERR_NO_ROUTE',
    });
  });

  it('matching is case-sensitive and a trailing slash is significant', async () => {
    expect((await ctx.request('/HEALTH')).status).toBe(404);
    expect((await ctx.request('/health/')).status).toBe(404);
    expect((await ctx.request('/health')).status).toBe(200);
  });

  it('an explicitly declared OPTIONS route is routed, not treated as a preflight', async () => {
    const response = await ctx.request('/explicit-options', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ route: 'explicit options' });
  });
}
