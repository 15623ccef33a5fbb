import { expect, it } from 'vitest';
import type { SuiteContext } from '../suite.js';

const ALLOWED = 'https://app.example.com';

export function corsCases(ctx: SuiteContext): void {
  it('a preflight is answered 204 by the gateway with every CORS header, nothing forwarded', async () => {
    const response = await ctx.request('/proxy/anything', {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST,PUT');
    expect(response.headers.get('access-control-allow-headers')).toBe('Authorization,Content-Type');
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('vary')).toContain('Origin');
    expect(ctx.upstream.requests).toHaveLength(0);
  });

  it('a preflight for a path no route knows is still answered (no auth, no 404)', async () => {
    const response = await ctx.request('/not/a/route', { method: 'OPTIONS', headers: { origin: ALLOWED } });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('a subdomain pattern matches subdomains at any depth', async () => {
    for (const origin of ['https://a.example.org', 'https://a.b.example.org']) {
      const response = await ctx.request('/health', { headers: { origin } });
      expect(response.headers.get('access-control-allow-origin'), origin).toBe(origin);
    }
  });

  it.each([
    'https://example.org',
    'https://evil-example.org',
    'https://a.example.org.evil.net',
    'http://a.example.org',
    'https://app.example.com.evil.net',
    'null',
  ])('origin %s gets no Allow-Origin and no Allow-Credentials', async (origin) => {
    const response = await ctx.request('/health', { headers: { origin } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('actual responses carry Allow-Origin and Expose-Headers', async () => {
    const response = await ctx.request('/health', { headers: { origin: ALLOWED } });
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-expose-headers')).toBe('X-Request-Id,X-Custom');
  });

  it('errors carry CORS headers so a browser can read them', async () => {
    for (const path of ['/nowhere', '/admin', '/down']) {
      const response = await ctx.request(path, { headers: { origin: ALLOWED } });
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.headers.get('access-control-allow-origin'), path).toBe(ALLOWED);
    }
  });

  it("Vary: Origin is appended to the upstream's Vary and the upstream's CORS headers are replaced", async () => {
    const response = await ctx.request('/up/headers', { headers: { origin: ALLOWED } });
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Origin');
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });
}
