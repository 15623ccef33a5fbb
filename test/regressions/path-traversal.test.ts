import { expect, it } from 'vitest';
import { againstConformanceTarget, type SuiteContext } from '../conformance/suite.js';
import { rawRequest } from '../helpers/raw-http.js';
import { startNodeTarget } from '../helpers/targets.js';
import { startWorkerdTarget } from '../helpers/workerd-target.js';

/**
 * Path traversal (docs/BEHAVIOUR.md "Hostile input", docs/SECURITY.md): a path written to climb
 * out of a public prefix (`..`, encoded dots, dot segments before `;`, encoded separators)
 * either reaches the route its canonical spelling names, which here is the protected `/admin`
 * (refused), or is a 400; never the public route, never forwarded. On Node and in workerd.
 */
function get(ctx: SuiteContext, target: string): ReturnType<typeof rawRequest> {
  const host = new URL(ctx.target.url).host;
  return rawRequest(ctx.target.url, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
}

function pathTraversalCases(ctx: SuiteContext): void {
  it.each([
    '/public/../admin',
    '/public/%2e%2e/admin',
    '/public/%2E%2e/admin',
    '//admin',
    '/public/./../admin',
  ])('%s reaches the protected /admin route (and is refused), never the public one', async (target) => {
    const response = await get(ctx, target);
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'AUTH_ERROR' });
    expect(ctx.upstream.requests).toHaveLength(0);
  });

  it.each(['/public/..;/admin', '/public/%2e%2e;/admin', '/public/.%2E;x/admin', '/admin;x'])(
    '%s (a dot segment or route change hidden behind ";") is 400, nothing forwarded',
    async (target) => {
      const response = await get(ctx, target);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ error: 'Bad request', code: 'ERR_BAD_REQUEST' });
      expect(ctx.upstream.requests).toHaveLength(0);
    },
  );
}

againstConformanceTarget('path traversal: node', 'node', startNodeTarget, pathTraversalCases);
againstConformanceTarget('path traversal: workerd', 'workerd', startWorkerdTarget, pathTraversalCases);
