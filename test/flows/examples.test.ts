import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OidcProvider } from '../fixtures/oidc-provider.js';
import { startSupabaseAuth, type SupabaseAuthServer } from '../fixtures/supabase-auth.js';
import { startNodeTarget, type GatewayTarget } from '../helpers/targets.js';
import { API_AUDIENCE, CLIENT_ID, CLIENT_SECRET, PUBLIC, startAuth0Provider } from './auth0-setup.js';
import { Browser, jsonOf } from './browser.js';

/** The example configs, unmodified, run against the local providers with the env their READMEs name. */
const example = (name: string): object =>
  JSON.parse(
    readFileSync(new URL(`../../examples/${name}/api-config.json`, import.meta.url), 'utf8'),
  ) as object;

describe('examples/auth0', () => {
  let provider: OidcProvider;
  let gateway: GatewayTarget;
  beforeAll(async () => {
    provider = await startAuth0Provider();
    gateway = await startNodeTarget(example('auth0'), {
      AUTH0_DOMAIN: provider.url,
      AUTH0_CLIENT_ID: CLIENT_ID,
      AUTH0_CLIENT_SECRET: CLIENT_SECRET,
      AUTH0_REDIRECT_URI: `${PUBLIC}/auth/callback`,
      AUTH0_AUDIENCE: API_AUDIENCE,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await provider?.close();
  });

  it('logs in, reads the profile, and protects /api/whoami with the issued token', async () => {
    const browser = new Browser({ [PUBLIC]: gateway.url });
    const start = await browser.get(`${PUBLIC}/auth/login`);
    const callbackUrl =
      (await browser.get(start.headers.get('location') ?? '')).headers.get('location') ?? '';
    const callback = await browser.get(callbackUrl);
    expect(callback.status).toBe(200);
    const { access_token: access } = await jsonOf(callback);
    const auth = { authorization: `Bearer ${String(access)}` };
    expect((await fetch(`${gateway.url}/api/whoami`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${gateway.url}/api/whoami`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/auth/userinfo`, { headers: auth })).status).toBe(200);
  });
});

describe('examples/supabase', () => {
  let supabase: SupabaseAuthServer;
  let gateway: GatewayTarget;
  beforeAll(async () => {
    supabase = await startSupabaseAuth();
    gateway = await startNodeTarget(example('supabase'), {
      SUPABASE_URL: supabase.url,
      SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
      SUPABASE_JWKS_URI: `${supabase.url}/auth/v1/.well-known/jwks.json`,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await supabase?.close();
  });

  it('sends a code and verifies it into a session', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${gateway.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post('/auth/otp', { email: 'ada@example.com' })).status).toBe(200);
    const verified = await post('/auth/verify', {
      email: 'ada@example.com',
      token: supabase.codeFor('ada@example.com'),
    });
    expect(verified.status).toBe(200);
    expect(typeof (await jsonOf(verified)).access_token).toBe('string');
    expect((await post('/auth/signup', { email: 'new@example.com' })).status).toBe(200);
  });
});
