import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscoveryServer, type DiscoveryServer } from '../fixtures/discovery-server.js';
import { claimsAt, createKeyPair, signToken, type TestKeyPair } from '../fixtures/keys.js';
import { startOpenIdProvider, type OpenIdProvider } from '../fixtures/openid-provider.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { startNodeTarget, type GatewayTarget } from '../helpers/targets.js';
import { closedPort, jsonOf } from './browser.js';
import { mintSessionCookie, oidcSessionConfig, WEB_CLIENT_ID, WEB_CLIENT_SECRET } from './oidc-setup.js';

/**
 * The OpenID Connect protocol checks through the real Node gateway, without a browser:
 * discovery (a Keycloak-style issuer with a path, a mismatching issuer, an unreachable one),
 * the authorization request, every refusal of the callback, and the session checks (sealed
 * cookie, CSRF, refresh refused). Each refusal shows that nothing reached the upstream or the
 * provider's token endpoint.
 */
const PUBLIC = 'http://gatehouse.test';
let key: TestKeyPair;
let realm: DiscoveryServer;
let provider: OpenIdProvider;
let upstream: RecordingUpstream;
const gateways: GatewayTarget[] = [];

beforeAll(async () => {
  key = await createKeyPair('RS256', 'realm-key');
  realm = await startDiscoveryServer('/realms/demo', [key.publicJwk]);
  upstream = await startRecordingUpstream();
  provider = await startOpenIdProvider({
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        client_secret: WEB_CLIENT_SECRET,
        redirect_uris: [`${PUBLIC}/auth/callback`],
      },
    ],
  });
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  await realm?.close();
  await provider?.close();
  await upstream?.close();
});

async function gateway(config: object): Promise<GatewayTarget> {
  const target = await startNodeTarget(config, {});
  gateways.push(target);
  return target;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  return fetch(url, { method, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
}

const protectedApi = (authorizer: Record<string, unknown>) => ({
  servers: [{ alias: 'api', url: upstream.url }],
  authorizer,
  paths: [
    { method: 'GET', path: '/api/{.+}', auth: true, integration: { type: 'http_proxy', server: 'api' } },
  ],
});

describe('discovery', () => {
  it('a jwt authorizer with only a Keycloak-style issuer takes its keys from discovery, fetched once', async () => {
    const target = await gateway(protectedApi({ type: 'jwt', issuer: realm.issuer, audience: 'api' }));
    const now = Date.now();
    const token = await signToken(key, claimsAt(now, { iss: realm.issuer, aud: 'api' }));
    upstream.reset();
    for (let i = 0; i < 3; i++) {
      const response = await get(`${target.url}/api/x`, { authorization: `Bearer ${token}` });
      expect(response.status).toBe(200);
    }
    expect(upstream.requests).toHaveLength(3);
    expect(realm.hits.get('/realms/demo/.well-known/openid-configuration')).toBe(1);
    expect(realm.hits.get('/realms/demo/keys')).toBe(1);

    const other = await createKeyPair('RS256', 'realm-key');
    const forged = await signToken(other, claimsAt(now, { iss: realm.issuer, aud: 'api' }));
    const refused = await get(`${target.url}/api/x`, { authorization: `Bearer ${forged}` });
    expect(refused.status).toBe(401);
  });

  it('a document naming another issuer is refused: 502 OIDC_ISSUER_MISMATCH at login, 401 on bearer routes', async () => {
    const mismatched = await startDiscoveryServer('/realms/other', [key.publicJwk]);
    try {
      // Only a trailing slash apart: still another issuer (tokens would carry the other `iss`).
      mismatched.namedIssuer = `${mismatched.issuer}/`;
      const login = await gateway({
        authorizer: {
          type: 'oidc',
          issuer: mismatched.issuer,
          client_id: WEB_CLIENT_ID,
          client_secret: WEB_CLIENT_SECRET,
          redirect_uri: `${PUBLIC}/auth/callback`,
        },
        paths: [{ method: 'GET', path: '/auth/login', integration: { type: 'oidc_login' } }],
      });
      const response = await get(`${login.url}/auth/login`);
      expect(response.status).toBe(502);
      expect(await jsonOf(response)).toMatchObject({ code: 'OIDC_ISSUER_MISMATCH' });
      expect(response.headers.get('location')).toBeNull();

      const api = await gateway(protectedApi({ type: 'jwt', issuer: mismatched.issuer }));
      const token = await signToken(key, claimsAt(Date.now(), { iss: mismatched.issuer }));
      upstream.reset();
      const bearer = await get(`${api.url}/api/x`, { authorization: `Bearer ${token}` });
      expect(bearer.status).toBe(401);
      expect(await jsonOf(bearer)).toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE' });
      expect(upstream.requests).toHaveLength(0);
      expect(mismatched.hits.get('/realms/other/keys')).toBeUndefined();
    } finally {
      await mismatched.close();
    }
  });

  it('an unreachable issuer is 502 OIDC_DISCOVERY_FAILED', async () => {
    const target = await gateway({
      authorizer: {
        type: 'oidc',
        issuer: `http://127.0.0.1:${await closedPort()}/realms/gone`,
        client_id: WEB_CLIENT_ID,
        client_secret: WEB_CLIENT_SECRET,
        redirect_uri: `${PUBLIC}/auth/callback`,
      },
      paths: [{ method: 'GET', path: '/auth/login', integration: { type: 'oidc_login' } }],
    });
    const response = await get(`${target.url}/auth/login`);
    expect(response.status).toBe(502);
    expect(await jsonOf(response)).toMatchObject({ code: 'OIDC_DISCOVERY_FAILED' });
  });
});

describe('authorization request and callback (oidc-provider)', () => {
  let target: GatewayTarget;
  beforeAll(async () => {
    target = await gateway(
      oidcSessionConfig(provider.issuer, PUBLIC, upstream.url, {
        login_hint: 'configured@example.test',
        organization: 'org_1',
        screen_hint: 'signup',
        authorization_params: { ui_locales: 'de' },
      }),
    );
  });

  async function login(query = '') {
    const response = await get(`${target.url}/auth/login${query}`);
    const cookie = (response.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    return { response, cookie, params: new URL(response.headers.get('location') ?? '').searchParams };
  }

  it('redirects to the discovered authorization endpoint with PKCE S256, state, nonce and the configured parameters', async () => {
    const { response, params, cookie } = await login('?return_to=/app&login_hint=bob@example.test');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')?.startsWith(`${provider.issuer}/auth?`)).toBe(true);
    expect(cookie.startsWith('gatehouse_oidc_tx=')).toBe(true);
    expect(Object.fromEntries(params)).toMatchObject({
      response_type: 'code',
      client_id: WEB_CLIENT_ID,
      redirect_uri: `${PUBLIC}/auth/callback`,
      scope: 'openid profile email offline_access',
      prompt: 'consent',
      login_hint: 'bob@example.test',
      organization: 'org_1',
      screen_hint: 'signup',
      ui_locales: 'de',
      code_challenge_method: 'S256',
    });
    expect(params.get('state')).toMatch(/^[\w-]{43}$/);
    expect(params.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
  });

  it('refuses a callback without the transaction cookie: 400 OIDC_INVALID_STATE', async () => {
    const response = await get(`${target.url}/auth/callback?code=abc&state=xyz`);
    expect(response.status).toBe(400);
    expect(await jsonOf(response)).toMatchObject({ code: 'OIDC_INVALID_STATE' });
  });

  it('a provider error without a known return URL is 400 OIDC_LOGIN_FAILED carrying the provider code', async () => {
    const response = await get(
      `${target.url}/auth/callback?error=login_required&error_description=End-User%20authentication%20is%20required&state=x`,
    );
    expect(response.status).toBe(400);
    expect(await jsonOf(response)).toEqual({
      error: 'The identity provider did not complete the login',
      code: 'OIDC_LOGIN_FAILED',
      provider_error: 'login_required',
      provider_error_description: 'End-User authentication is required',
    });
  });

  it('a provider error for a known login goes back to the app with error and error_description', async () => {
    const { cookie, params } = await login('?return_to=/app/settings');
    const response = await get(
      `${target.url}/auth/callback?error=access_denied&error_description=denied&state=${params.get('state')}`,
      { cookie },
    );
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(
      '/app/settings?error=access_denied&error_description=denied',
    );
    expect(response.headers.getSetCookie().some((c) => /^gatehouse_oidc_tx=;.*Max-Age=0/.test(c))).toBe(true);
  });

  it('RFC 9207: an `iss` other than the issuer is 502 OIDC_ISSUER_MISMATCH, and no code is redeemed', async () => {
    const { cookie, params } = await login();
    const grants = provider.grants.length;
    const response = await get(
      `${target.url}/auth/callback?code=abc&state=${params.get('state')}&iss=${encodeURIComponent('https://evil.example')}`,
      { cookie },
    );
    expect(response.status).toBe(502);
    expect(await jsonOf(response)).toMatchObject({ code: 'OIDC_ISSUER_MISMATCH' });
    expect(provider.grants.length).toBe(grants);
  });

  it('a missing code is 400 OIDC_MISSING_CODE; a forged one is refused by the provider (502 OIDC_PROVIDER_REFUSED)', async () => {
    const first = await login();
    const missing = await get(
      `${target.url}/auth/callback?state=${first.params.get('state')}&iss=${encodeURIComponent(provider.issuer)}`,
      {
        cookie: first.cookie,
      },
    );
    expect(missing.status).toBe(400);
    expect(await jsonOf(missing)).toMatchObject({ code: 'OIDC_MISSING_CODE' });

    const second = await login();
    const forged = await get(
      `${target.url}/auth/callback?code=forged&state=${second.params.get('state')}&iss=${encodeURIComponent(provider.issuer)}`,
      { cookie: second.cookie },
    );
    expect(forged.status).toBe(502);
    expect(await jsonOf(forged)).toMatchObject({ code: 'OIDC_PROVIDER_REFUSED' });
  });
});

describe('sessions', () => {
  let target: GatewayTarget;
  beforeAll(async () => {
    target = await gateway(oidcSessionConfig(provider.issuer, PUBLIC, upstream.url));
  });

  const mint = (record: Record<string, unknown>) => mintSessionCookie(provider.issuer, record);

  it('a session cookie alone authorizes; the upstream gets the access token and not the cookie', async () => {
    upstream.reset();
    const response = await get(`${target.url}/api/me`, { cookie: `${await mint({})}; theme=dark` });
    expect(response.status).toBe(200);
    expect(upstream.requests[0]?.headers.authorization).toBe('Bearer session-access-token');
    expect(upstream.requests[0]?.headers.cookie).toBe('theme=dark');
  });

  it('a session too large for one cookie is split, and read back whole', async () => {
    const cookie = await mint({ it: 'x'.repeat(6000) });
    expect(cookie).toContain('gatehouse_session.0=');
    expect(cookie).toContain('gatehouse_session.1=');
    upstream.reset();
    expect((await get(`${target.url}/api/me`, { cookie })).status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
  });

  it('an altered or foreign session cookie is 401 SESSION_EXPIRED and cleared; nothing is forwarded', async () => {
    const cookie = await mint({});
    const altered = cookie.slice(0, -4) + (cookie.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    upstream.reset();
    const response = await get(`${target.url}/api/me`, { cookie: altered });
    expect(response.status).toBe(401);
    expect(await jsonOf(response)).toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(response.headers.getSetCookie().some((c) => /^gatehouse_session=;.*Max-Age=0/.test(c))).toBe(true);
    expect(upstream.requests).toHaveLength(0);
  });

  it('an expired access token whose refresh the provider refuses ends the session (401 SESSION_EXPIRED)', async () => {
    const cookie = await mint({ ate: Date.now() - 1000, rt: 'revoked-refresh-token' });
    upstream.reset();
    const response = await get(`${target.url}/api/me`, { cookie });
    expect(response.status).toBe(401);
    expect(await jsonOf(response)).toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(upstream.requests).toHaveLength(0);
  });

  it('without a session or a bearer token the route answers the usual 401', async () => {
    const response = await get(`${target.url}/api/me`);
    expect(response.status).toBe(401);
    expect(await jsonOf(response)).toMatchObject({ code: 'AUTH_ERROR' });
  });
});

describe('the Auth0 preset', () => {
  it('an oidc authorizer with an Auth0 `domain` uses issuer https://{domain}/ and its discovery', async () => {
    const tenant = await startDiscoveryServer('', [key.publicJwk]);
    try {
      tenant.namedIssuer = `${tenant.origin}/`;
      const target = await gateway({
        authorizer: {
          type: 'oidc',
          domain: tenant.origin,
          client_id: WEB_CLIENT_ID,
          client_secret: WEB_CLIENT_SECRET,
          redirect_uri: `${PUBLIC}/auth/callback`,
          audience: 'https://api.example',
          organization: 'org_9',
          connection: 'github',
        },
        paths: [{ method: 'GET', path: '/auth/login', integration: { type: 'oidc_login' } }],
      });
      const response = await get(`${target.url}/auth/login`);
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location') ?? '');
      expect(location.origin + location.pathname).toBe(`${tenant.origin}/protocol/auth`);
      expect(location.searchParams.get('audience')).toBe('https://api.example');
      expect(location.searchParams.get('organization')).toBe('org_9');
      expect(location.searchParams.get('connection')).toBe('github');
    } finally {
      await tenant.close();
    }
  });

  it('the auth0 type takes the same extra authorization parameters', async () => {
    const target = await gateway({
      authorizer: {
        type: 'auth0',
        domain: 'http://127.0.0.1:9',
        client_id: WEB_CLIENT_ID,
        client_secret: WEB_CLIENT_SECRET,
        redirect_uri: `${PUBLIC}/auth/callback`,
        prompt: 'consent',
        screen_hint: 'signup',
        authorization_params: { ui_locales: 'fr' },
      },
      paths: [{ method: 'GET', path: '/auth/login', integration: { type: 'auth0_callback_redirect' } }],
    });
    const response = await get(`${target.url}/auth/login`);
    const params = new URL(response.headers.get('location') ?? '').searchParams;
    expect(params.get('prompt')).toBe('consent');
    expect(params.get('screen_hint')).toBe('signup');
    expect(params.get('ui_locales')).toBe('fr');
    expect(params.get('response_type')).toBe('code');
  });
});
