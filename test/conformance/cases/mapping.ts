import { expect, it } from 'vitest';
import { conformanceToken } from '../../fixtures/keys.js';
import type { SuiteContext } from '../suite.js';

export function mappingCases(ctx: SuiteContext): void {
  it('maps config variables (route over global), path params, query, headers, constants and composites', async () => {
    const response = await ctx.request('/tenants/t-9/orders?q=search-term&keep=1', {
      method: 'POST',
      headers: { 'x-source': 'mobile' },
      body: '{}',
    });
    expect(response.status).toBe(200);
    const received = ctx.upstream.requests[0];
    expect(received?.headers).toMatchObject({
      'x-tenant': 'route-tenant',
      'x-plan': 'free',
      'x-tenant-id': 't-9',
      'x-combo': 'tenant:t-9:free',
      'x-constant': 'fixed-value',
      'x-from-query': 'search-term',
      'x-from-header': 'mobile',
    });
    const query = new URL(received?.url ?? '', 'http://x').searchParams;
    expect(query.get('mapped')).toBe('mobile');
    expect(query.get('tid')).toBe('t-9');
    expect(query.get('keep')).toBe('1');
  });

  it('client-sent values of mapped names never reach the upstream', async () => {
    await ctx.request('/tenants/t-1/orders?mapped=spoofed', {
      method: 'POST',
      headers: { 'x-tenant': 'spoofed', 'x-tenant-id': 'spoofed', 'x-from-query': 'spoofed' },
      body: '{}',
    });
    const received = ctx.upstream.requests[0];
    expect(received?.headers['x-tenant']).toBe('route-tenant');
    expect(received?.headers['x-tenant-id']).toBe('t-1');
    // No `q` in the request: the mapped header resolves to nothing, so it is removed, not kept.
    expect(received?.headers['x-from-query']).toBeUndefined();
    expect(new URL(received?.url ?? '', 'http://x').searchParams.getAll('mapped')).toEqual([]);
  });

  it('maps verified claims, nested claims and arrays from the token', async () => {
    const token = await conformanceToken({ sub: 'alice', org: { id: 'org-7' }, roles: ['admin', 'ops'] });
    const response = await ctx.request('/me/profile', {
      headers: { authorization: `Bearer ${token}`, 'x-user': 'mallory' },
    });
    expect(response.status).toBe(200);
    const headers = ctx.upstream.requests[0]?.headers ?? {};
    expect(headers['x-user']).toBe('alice');
    expect(headers['x-org']).toBe('org-7');
    expect(headers['x-roles']).toBe('admin,ops');
    expect(headers.authorization).toBe('Bearer alice');
  });

  it('a protected route without a token is refused and nothing is forwarded', async () => {
    const response = await ctx.request('/me/profile');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({
      error: 'No token provided or token format is invalid.',
      code: 'AUTH_ERROR',
    });
    expect(ctx.upstream.requests).toHaveLength(0);
  });
}
