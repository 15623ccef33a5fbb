import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { createJsonLogger } from '../../src/observability/logger.js';
import type { OidcProvider } from '../fixtures/oidc-provider.js';
import { startSupabaseAuth, type SupabaseAuthServer } from '../fixtures/supabase-auth.js';
import { auth0Config, PUBLIC, startAuth0Provider } from './auth0-setup.js';
import { Browser } from './browser.js';
import { oidcSessionConfig } from './oidc-setup.js';

/**
 * Every refusal of the identity flows is a catalogue row thrown to the gateway's exit
 * (docs/ERRORS.md "Identity flows"), so the request's access-log line carries its code and the
 * status the client saw — the Auth0 callback's refusals, the provider's own status passed on,
 * Supabase's send refusals with its words, a refused 413 on the OpenID Connect refresh, and an
 * expired session, whose answer clears every part of a split session cookie.
 */
const logLines: string[] = [];
let auth0Provider: OidcProvider;
let supabase: SupabaseAuthServer;
const gateways: RunningGatehouse[] = [];

async function start(config: object, env: Record<string, string> = {}): Promise<string> {
  const gateway = await startGatehouse({
    source: inlineConfigSource(config),
    env,
    port: 0,
    logger: createJsonLogger('info', (line) => logLines.push(line)),
  });
  gateways.push(gateway);
  return gateway.url;
}

/** The access-log lines of the route for `path`: [status, code]. */
function logged(path: string): [unknown, unknown][] {
  return logLines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === 'request' && String(entry.route).endsWith(` ${path}`))
    .map((entry) => [entry.status, entry.code]);
}

let auth0Url: string;
let supabaseUrl: string;
let oidcUrl: string;

beforeAll(async () => {
  auth0Provider = await startAuth0Provider();
  supabase = await startSupabaseAuth();
  auth0Url = await start(auth0Config(auth0Provider.url));
  supabaseUrl = await start(
    {
      paths: [{ method: 'POST', path: '/auth/otp', integration: { type: 'supabase_passwordless_auth' } }],
    },
    { SUPABASE_URL: supabase.url, SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey },
  );
  // Never contacted: the refresh body is refused before discovery.
  oidcUrl = await start(oidcSessionConfig('http://127.0.0.1:9/', 'http://127.0.0.1:9', 'http://127.0.0.1:9'));
});

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close(500)));
  await auth0Provider?.close();
  await supabase?.close();
});

describe('flow refusals in the access log', () => {
  it('auth0_callback: missing code and a forged state log their codes, nothing reaches the provider', async () => {
    const browser = new Browser({ [PUBLIC]: auth0Url });
    expect((await browser.get(`${PUBLIC}/auth/callback?error=access_denied`)).status).toBe(400);
    expect((await browser.get(`${PUBLIC}/auth/callback?code=abc&state=forged`)).status).toBe(400);
    expect(logged('/auth/callback')).toEqual([
      [400, 'missing_code'],
      [400, 'invalid_state'],
    ]);
    expect(auth0Provider.requestsTo('/oauth/token')).toHaveLength(0);
  });

  it("auth0_userinfo: the provider's 401 is passed on and logged as the action's row", async () => {
    auth0Provider.setMode({ kind: 'fail', status: 401 });
    try {
      const response = await fetch(`${auth0Url}/auth/userinfo`, {
        headers: { authorization: 'Bearer opaque-token-value' },
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'Auth0 userinfo failed', code: 'AUTH0_UPSTREAM_ERROR' });
    } finally {
      auth0Provider.setMode({ kind: 'normal' });
    }
    expect(logged('/auth/userinfo')).toEqual([[401, 'AUTH0_USERINFO_FAILED']]);
  });

  it("supabase: a refusal to send is 400 with Supabase's words, logged as SUPABASE_OTP_SEND_FAILED", async () => {
    supabase.setMode({ kind: 'fail', status: 429, body: { msg: 'Email rate limit exceeded' } });
    try {
      const response = await fetch(`${supabaseUrl}/auth/otp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ada@example.com' }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'Email rate limit exceeded',
        code: 'SUPABASE_OTP_SEND_FAILED',
      });
    } finally {
      supabase.setMode({ kind: 'normal' });
    }
    expect(logged('/auth/otp')).toEqual([[400, 'SUPABASE_OTP_SEND_FAILED']]);
    // Supabase's words answer the client; the log line keeps only its status and code.
    expect(logLines.filter((line) => line.includes('Email rate limit exceeded'))).toEqual([]);
  });

  it('oidc_refresh: a refused 413 body leaves its code in the access log', async () => {
    const response = await fetch(`${oidcUrl}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: 'r'.repeat(64 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(logged('/auth/refresh')).toEqual([[413, 'ERR_PAYLOAD_TOO_LARGE']]);
  });

  it('a session that does not open: 401 SESSION_EXPIRED logged, every cookie part cleared, nothing forwarded', async () => {
    const response = await fetch(`${oidcUrl}/api/items`, {
      headers: { cookie: 'gatehouse_session.0=forged; gatehouse_session.1=parts; other=kept' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: 'Session expired; log in again',
      code: 'SESSION_EXPIRED',
    });
    // (The upstream is a closed port: a forwarded request would have been 502.)
    // One Set-Cookie line per part (and the unsplit name), each expiring it; `other` untouched.
    const cleared = response.headers.getSetCookie().map((line) => line.split('=')[0]);
    expect(cleared.sort()).toEqual(['gatehouse_session', 'gatehouse_session.0', 'gatehouse_session.1']);
    expect(response.headers.getSetCookie().every((line) => /max-age=0/i.test(line))).toBe(true);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(logged('/api/{.+}')).toEqual([[401, 'SESSION_EXPIRED']]);
  });
});
