import { expect, it } from 'vitest';
import type { SuiteContext } from '../suite.js';

export function staticCases(ctx: SuiteContext): void {
  it('answers the response as JSON with status 200', async () => {
    const response = await ctx.request('/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe('{"status":"ok"}');
  });

  it('a string response becomes a JSON string, with quotes', async () => {
    expect(await (await ctx.request('/static/string')).text()).toBe('"hello"');
  });

  it('no response key answers an empty body', async () => {
    const response = await ctx.request('/static/none');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('status and headers extensions apply', async () => {
    const response = await ctx.request('/static/created', { method: 'POST' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-custom')).toBe('yes');
    expect(await response.json()).toEqual({ created: true });
  });

  it('nothing is sent upstream for a static route', async () => {
    await ctx.request('/health');
    expect(ctx.upstream.requests).toHaveLength(0);
  });
}
