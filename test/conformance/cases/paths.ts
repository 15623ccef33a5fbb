import { expect, it } from 'vitest';
import { rawRequest } from '../../helpers/raw-http.js';
import type { SuiteContext } from '../suite.js';

const BAD_REQUEST = { error: 'Bad request', code: 'ERR_BAD_REQUEST' };

/** Raw request lines, so no client normalizes the path before the gateway sees it. */
function get(ctx: SuiteContext, target: string): ReturnType<typeof rawRequest> {
  const host = new URL(ctx.target.url).host;
  return rawRequest(ctx.target.url, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
}

export function pathCases(ctx: SuiteContext): void {
  it.each([
    '/public/a%2Fb',
    '/public/a%2fb',
    '/public/a%5Cb',
    '/public/a%00b',
    '/public/a%zzb',
    '/public/a%4',
  ])('%s is a 400 with the error body', async (target) => {
    const response = await get(ctx, target);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual(BAD_REQUEST);
    expect(response.headers['x-request-id']).toBeTruthy();
  });

  it('unreserved characters are decoded before matching', async () => {
    const response = await get(ctx, '/he%61lth');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  });

  it('the canonical path is also the one sent upstream', async () => {
    const response = await get(ctx, '/proxy/x/../orders//1');
    expect(response.status).toBe(200);
    expect(ctx.upstream.requests.map((r) => r.url)).toEqual(['/base/orders/1']);
  });

  it('a URL longer than the limit is refused before routing', async () => {
    const response = await ctx.request(`/public/${'a'.repeat(3000)}`);
    expect(response.status).toBe(414);
    expect(await response.json()).toEqual({ error: 'URI too long', code: 'ERR_URI_TOO_LONG' });
  });
}
