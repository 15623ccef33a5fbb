import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscoveryServer, type DiscoveryServer } from '../fixtures/discovery-server.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { startNodeTarget, type GatewayTarget } from '../helpers/targets.js';
import { jsonOf } from '../flows/browser.js';
import { mintSessionCookie, oidcSessionConfig } from '../flows/oidc-setup.js';

/**
 * Cross-site request forgery (CWE-352) against routes authorized by a session cookie: a
 * state-changing method needs an Origin the gateway trusts (its own, the redirect_uri's, the
 * return_to origins). Refusals are 403 SESSION_CSRF_REJECTED and reach no upstream.
 */
let realm: DiscoveryServer;
let upstream: RecordingUpstream;
let target: GatewayTarget;
let cookie: string;
const PUBLIC = 'http://gatehouse.test';

beforeAll(async () => {
  realm = await startDiscoveryServer('/realms/demo', []);
  upstream = await startRecordingUpstream();
  target = await startNodeTarget(
    oidcSessionConfig(realm.issuer, PUBLIC, upstream.url, {}, { return_to: ['/app', 'https://app.example'] }),
    {},
  );
  cookie = await mintSessionCookie(realm.issuer, {});
});

afterAll(async () => {
  await target?.close();
  await upstream?.close();
  await realm?.close();
});

function send(method: string, path: string, headers: Record<string, string>) {
  return fetch(`${target.url}${path}`, { method, headers, redirect: 'manual' });
}

describe('session-authorized state-changing requests', () => {
  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin null (sandboxed frame, data: URL)', { origin: 'null' }],
    ['no Origin at all', {}],
    ['a look-alike origin', { origin: 'https://app.example.evil.example' }],
  ])('%s is refused (POST, PUT, DELETE)', async (_label, headers) => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      upstream.reset();
      const response = await send(method, '/api/items', { cookie, ...headers });
      expect(response.status).toBe(403);
      expect(await jsonOf(response)).toMatchObject({ code: 'SESSION_CSRF_REJECTED' });
      expect(upstream.requests).toHaveLength(0);
    }
  });

  it('trusted origins pass: the redirect_uri origin and a return_to origin', async () => {
    for (const origin of [PUBLIC, 'https://app.example']) {
      upstream.reset();
      const response = await send('POST', '/api/items', { cookie, origin });
      expect(response.status).toBe(200);
      expect(upstream.requests).toHaveLength(1);
    }
  });

  it('safe methods need no Origin', async () => {
    upstream.reset();
    expect((await send('GET', '/api/items', { cookie })).status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
  });

  it('oidc_refresh with only the session cookie is checked too', async () => {
    const response = await send('POST', '/auth/refresh', { cookie, origin: 'https://evil.example' });
    expect(response.status).toBe(403);
  });
});
