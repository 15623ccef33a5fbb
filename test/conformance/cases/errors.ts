import { expect, it } from 'vitest';
import type { SuiteContext } from '../suite.js';

export function errorCases(ctx: SuiteContext): void {
  it('every response carries X-Request-Id and X-Powered-By, errors included', async () => {
    for (const [path, status] of [
      ['/health', 200],
      ['/nowhere', 404],
      ['/admin', 401],
    ] as const) {
      const response = await ctx.request(path);
      expect(response.status, path).toBe(status);
      expect(response.headers.get('x-request-id'), path).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get('x-powered-by'), path).toBe('Gatehouse');
    }
  });

  it('a sane incoming X-Request-Id is kept and forwarded; an unsafe one is replaced', async () => {
    const kept = await ctx.request('/up/id', { headers: { 'x-request-id': 'client-id-123' } });
    expect(kept.headers.get('x-request-id')).toBe('client-id-123');
    expect(ctx.upstream.requests[0]?.headers['x-request-id']).toBe('client-id-123');
    const replaced = await ctx.request('/health', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('error bodies are JSON with a stable code and never echo the request', async () => {
    const response = await ctx.request('/admin', { headers: { authorization: 'Bearer not.a.token!' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/json');
    const text = await response.text();
    expect(text).not.toContain('not.a.token');
    expect(JSON.parse(text)).toHaveProperty('code');
  });
}
