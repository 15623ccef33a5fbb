import { expect, it } from 'vitest';
import { againstConformanceTarget, type SuiteContext } from '../conformance/suite.js';
import { conformanceToken } from '../fixtures/keys.js';
import { rawRequest } from '../helpers/raw-http.js';
import { startNodeTarget } from '../helpers/targets.js';
import { startWorkerdTarget } from '../helpers/workerd-target.js';

/**
 * Header injection (docs/BEHAVIOUR.md "7. Value mapping" and "Hostile input"): CR, LF or NUL
 * never reach the upstream's request head, whether they arrive in a verified claim a mapping
 * copies into a header, or percent-encoded in the path. On Node and in workerd.
 */
function get(ctx: SuiteContext, target: string): ReturnType<typeof rawRequest> {
  const host = new URL(ctx.target.url).host;
  return rawRequest(ctx.target.url, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
}

function headerInjectionCases(ctx: SuiteContext): void {
  it('a claim containing CR/LF is never sent as a header value', async () => {
    const token = await conformanceToken({ sub: 'bob', note: 'line1\r\nx-injected: yes' });
    const response = await ctx.request('/me/profile', { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const headers = ctx.upstream.requests[0]?.headers ?? {};
    expect(headers['x-note']).toBeUndefined();
    expect(headers['x-injected']).toBeUndefined();
    expect(headers['x-user']).toBe('bob');
  });

  it.each(['/public/x%0d%0ay', '/public/x%00'])(
    '%s (an encoded control character in the path) is 400, nothing forwarded',
    async (target) => {
      const response = await get(ctx, target);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ error: 'Bad request', code: 'ERR_BAD_REQUEST' });
      expect(ctx.upstream.requests).toHaveLength(0);
    },
  );
}

againstConformanceTarget('header injection: node', 'node', startNodeTarget, headerInjectionCases);
againstConformanceTarget('header injection: workerd', 'workerd', startWorkerdTarget, headerInjectionCases);
