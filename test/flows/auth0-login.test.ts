import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OidcProvider } from '../fixtures/oidc-provider.js';
import { startNodeTarget, type GatewayTarget } from '../helpers/targets.js';
import {
  auth0Config,
  API_AUDIENCE,
  CLIENT_ID,
  CLIENT_SECRET,
  COOKIE,
  PUBLIC,
  startAuth0Provider,
} from './auth0-setup.js';
import { Browser, closedPort, jsonOf } from './browser.js';

/**
 * The Auth0 login flows through the real Node gateway against a local OIDC provider, over real
 * sockets: auth0_callback_redirect → the provider's /authorize → auth0_callback, then every
 * error row of docs/FLOWS.md "Auth0" for the redirect and the callback.
 */
let provider: OidcProvider;
let gateway: GatewayTarget;
let browser: Browser;

beforeAll(async () => {
  provider = await startAuth0Provider();
  gateway = await startNodeTarget(auth0Config(provider.url), {});
});

afterAll(async () => {
  await gateway?.close();
  await provider?.close();
});

beforeEach(() => {
  provider.reset();
  browser = new Browser({ [PUBLIC]: gateway.url });
});

/** GET the redirect route; the Location and the parsed authorize parameters. */
async function startLogin(
  query = '',
): Promise<{ response: Response; location: string; params: URLSearchParams }> {
  const response = await browser.get(`${PUBLIC}/auth/login${query}`);
  const location = response.headers.get('location') ?? '';
  return { response, location, params: new URL(location).searchParams };
}

/** Follows the provider's /authorize; returns the callback URL it redirects the browser to. */
async function authorizeAtProvider(location: string): Promise<URL> {
  const atProvider = await browser.get(location);
  expect(atProvider.status).toBe(302);
  return new URL(atProvider.headers.get('location') ?? '');
}

describe('login round trip', () => {
  it('redirect → provider /authorize → callback answers 200 with the provider tokens', async () => {
    const { response, location, params } = await startLogin();
    expect(response.status).toBe(302);
    expect(location.startsWith(`${provider.url}/authorize?`)).toBe(true);
    expect(browser.cookiesFor(PUBLIC).has(COOKIE)).toBe(true);

    const callbackUrl = await authorizeAtProvider(location);
    expect(callbackUrl.origin + callbackUrl.pathname).toBe(`${PUBLIC}/auth/callback`);
    expect(callbackUrl.searchParams.get('state')).toBe(params.get('state'));

    const callback = await browser.get(callbackUrl.href);
    expect(callback.status).toBe(200);
    expect(callback.headers.get('cache-control')).toBe('no-store');
    const tokens = await jsonOf(callback);
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(typeof tokens.access_token).toBe('string');
    expect(typeof tokens.id_token).toBe('string');
    expect(typeof tokens.refresh_token).toBe('string');
    // The transaction is over: the cookie is cleared, so the same callback cannot be replayed.
    expect(browser.cookiesFor(PUBLIC).has(COOKIE)).toBe(false);

    // The provider saw exactly one code exchange, with exactly the form fields of the protocol.
    const exchanges = provider.requestsTo('/oauth/token');
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.method).toBe('POST');
    expect(exchanges[0]?.form).toEqual({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      code: callbackUrl.searchParams.get('code'),
      redirect_uri: `${PUBLIC}/auth/callback`,
      code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(provider.requests.filter((r) => !r.path.startsWith('/.well-known/')).map((r) => r.path)).toEqual([
      '/authorize',
      '/oauth/token',
    ]);

    // The access token the provider issued works on the gateway's protected routes.
    const me = await fetch(`${gateway.url}/api/me`, {
      headers: { authorization: `Bearer ${String(tokens.access_token)}` },
    });
    expect(me.status).toBe(200);
  });

  it('a replayed callback (cookie already used) is refused before any provider call', async () => {
    const { location } = await startLogin();
    const callbackUrl = await authorizeAtProvider(location);
    expect((await browser.get(callbackUrl.href)).status).toBe(200);
    const replay = await browser.get(callbackUrl.href);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual({ error: 'Invalid or missing state', code: 'invalid_state' });
    expect(provider.requestsTo('/oauth/token')).toHaveLength(1);
  });
});

describe('auth0_callback_redirect', () => {
  it('builds an encoded authorize URL with a generated state and PKCE S256', async () => {
    const { response, location, params } = await startLogin();
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect([...params.keys()]).toEqual([
      'response_type',
      'client_id',
      'redirect_uri',
      'scope',
      'state',
      'code_challenge',
      'code_challenge_method',
      'audience',
    ]);
    expect(Object.fromEntries(params)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${PUBLIC}/auth/callback`,
      scope: 'openid profile email offline_access',
      code_challenge_method: 'S256',
      audience: API_AUDIENCE,
    });
    expect(params.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Encoded on the wire, not just parseable.
    expect(location).toContain(`redirect_uri=${encodeURIComponent(`${PUBLIC}/auth/callback`)}`);
    expect(location).toContain('scope=openid+profile+email+offline_access');
    expect(location).not.toMatch(/\s/);
    // Sending the browser away costs no provider call.
    expect(provider.requests).toHaveLength(0);
  });

  it('sets a short-lived, HttpOnly, SameSite=Lax transaction cookie (not Secure over http)', async () => {
    const { response } = await startLogin();
    const [cookie = ''] = response.headers.getSetCookie();
    expect(cookie).toMatch(new RegExp(`^${COOKIE}=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+;`));
    const attributes = cookie
      .split(';')
      .slice(1)
      .map((a) => a.trim());
    expect(attributes).toEqual(['Path=/', 'Max-Age=600', 'HttpOnly', 'SameSite=Lax']);
  });

  it('passes a client-given state through, encoded, and binds it to the cookie', async () => {
    const given = 'return=/orders?id=7&x=a b';
    const { location, params } = await startLogin(`?state=${encodeURIComponent(given)}`);
    expect(params.get('state')).toBe(given);
    expect(location).toContain(`state=${new URLSearchParams({ s: given }).toString().slice(2)}`);
    const callbackUrl = await authorizeAtProvider(location);
    expect(callbackUrl.searchParams.get('state')).toBe(given);
    expect((await browser.get(callbackUrl.href)).status).toBe(200);
  });

  it('every login gets a fresh state and verifier', async () => {
    const first = await startLogin();
    const second = await startLogin();
    expect(first.params.get('state')).not.toBe(second.params.get('state'));
    expect(first.params.get('code_challenge')).not.toBe(second.params.get('code_challenge'));
  });

  it('refuses an oversized state', async () => {
    const response = await browser.get(`${PUBLIC}/auth/login?state=${'s'.repeat(513)}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.json()).toEqual({ error: 'Invalid or missing state', code: 'invalid_state' });
  });
});

describe('auth0_callback errors', () => {
  it('missing code → 400 missing_code, no provider call', async () => {
    await startLogin();
    for (const query of [
      '',
      '?state=x',
      '?code=&state=x',
      '?error=access_denied&state=x',
      '?code=a&code=b',
    ]) {
      const response = await browser.get(`${PUBLIC}/auth/callback${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'Missing authorization code', code: 'missing_code' });
    }
    expect(provider.requestsTo('/oauth/token')).toHaveLength(0);
  });

  it('missing state cookie → 400 invalid_state, no provider call', async () => {
    const { location } = await startLogin();
    const callbackUrl = await authorizeAtProvider(location);
    const stranger = new Browser({ [PUBLIC]: gateway.url }); // the victim of a forged callback link
    const response = await stranger.get(callbackUrl.href);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'Invalid or missing state', code: 'invalid_state' });
    expect(provider.requestsTo('/oauth/token')).toHaveLength(0);
  });

  it('state that does not match the cookie, or is missing → 400 invalid_state', async () => {
    const { location } = await startLogin();
    const callbackUrl = await authorizeAtProvider(location);
    const code = callbackUrl.searchParams.get('code') ?? '';
    for (const query of [`?code=${code}&state=attacker`, `?code=${code}`, `?code=${code}&state=a&state=b`]) {
      const response = await browser.get(`${PUBLIC}/auth/callback${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'Invalid or missing state', code: 'invalid_state' });
    }
    expect(provider.requestsTo('/oauth/token')).toHaveLength(0);
  });

  it('a callback whose iss parameter (RFC 9207) names another issuer → 400 invalid_issuer, no provider call', async () => {
    const { location } = await startLogin();
    const callbackUrl = await authorizeAtProvider(location);
    callbackUrl.searchParams.set('iss', 'https://attacker.example/');
    const response = await browser.get(`${PUBLIC}/auth/callback${callbackUrl.search}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'Invalid issuer', code: 'invalid_issuer' });
    expect(provider.requestsTo('/oauth/token')).toHaveLength(0);
  });

  it('a tampered or foreign cookie → 400 invalid_state', async () => {
    const { location } = await startLogin();
    const callbackUrl = await authorizeAtProvider(location);
    const original = browser.cookiesFor(PUBLIC).get(COOKIE) ?? '';
    const [payload = '', signature = ''] = original.split('.');
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    forged.s = 'attacker-state';
    for (const value of [
      `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`,
      `${payload}.${signature.slice(0, -2)}AA`,
      payload,
      'garbage',
    ]) {
      browser.setCookie(PUBLIC, COOKIE, value);
      const response = await browser.get(`${PUBLIC}/auth/callback?code=x&state=attacker-state`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'Invalid or missing state', code: 'invalid_state' });
    }
    expect(callbackUrl.searchParams.get('code')).toBeTruthy();
    expect(provider.requestsTo('/oauth/token')).toHaveLength(0);
  });

  it('a code from another login (PKCE verifier mismatch) → the provider refuses it: 403 AUTH0_UPSTREAM_ERROR', async () => {
    // The attacker's own login yields a code bound to the attacker's challenge.
    const attacker = new Browser({ [PUBLIC]: gateway.url });
    const attackerLogin = await attacker.get(`${PUBLIC}/auth/login`);
    const attackerCallback = new URL(
      (await attacker.get(attackerLogin.headers.get('location') ?? '')).headers.get('location') ?? '',
    );
    // The victim starts a login with the attacker's state value, then is sent the attacker's code.
    const state = attackerCallback.searchParams.get('state') ?? '';
    await startLogin(`?state=${encodeURIComponent(state)}`);
    const response = await browser.get(attackerCallback.href);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: 'Auth0 token exchange failed',
      code: 'AUTH0_UPSTREAM_ERROR',
    });
    expect(provider.requestsTo('/oauth/token')).toHaveLength(1);
  });

  async function callbackWithMode(mode: Parameters<OidcProvider['setMode']>[0]): Promise<Response> {
    const { location } = await startLogin();
    const callbackUrl = await authorizeAtProvider(location);
    provider.setMode(mode);
    const response = await browser.get(callbackUrl.href);
    expect(provider.requestsTo('/oauth/token')).toHaveLength(1);
    return response;
  }

  it('provider 4xx → its status with Auth0 token exchange failed', async () => {
    const response = await callbackWithMode({
      kind: 'fail',
      status: 403,
      body: JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid authorization code' }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: 'Auth0 token exchange failed',
      code: 'AUTH0_UPSTREAM_ERROR',
    });
  });

  it('provider 5xx → its status with Auth0 token exchange failed', async () => {
    const response = await callbackWithMode({
      kind: 'fail',
      status: 503,
      body: 'down for maintenance',
      contentType: 'text/plain',
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: 'Auth0 token exchange failed',
      code: 'AUTH0_UPSTREAM_ERROR',
    });
  });

  it('provider answers without id_token → 502 AUTH0_UPSTREAM_ERROR', async () => {
    const response = await callbackWithMode({ kind: 'no_id_token' });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: 'Auth0 token exchange failed',
      code: 'AUTH0_UPSTREAM_ERROR',
    });
  });

  it('an id_token whose signature does not verify → 502 AUTH0_UPSTREAM_ERROR, tokens withheld', async () => {
    const response = await callbackWithMode({ kind: 'forged_id_token' });
    expect(response.status).toBe(502);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ error: 'Auth0 token exchange failed', code: 'AUTH0_UPSTREAM_ERROR' });
    expect(body).not.toContain('access_token');
  });

  it('a 200 that is not JSON → 502 AUTH0_UPSTREAM_ERROR', async () => {
    const response = await callbackWithMode({ kind: 'not_json' });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: 'Auth0 token exchange failed',
      code: 'AUTH0_UPSTREAM_ERROR',
    });
  });

  it('provider slower than timeout_ms → 504 AUTH0_NETWORK_ERROR within the timeout', async () => {
    const started = Date.now();
    const response = await callbackWithMode({ kind: 'slow', delayMs: 5000 });
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({
      error: 'Auth0 token exchange request failed',
      code: 'AUTH0_NETWORK_ERROR',
    });
    expect(Date.now() - started).toBeLessThan(4000);
  });
});

describe('provider down (connection refused)', () => {
  let down: GatewayTarget;
  let downBrowser: Browser;
  const HTTPS_PUBLIC = 'https://gatehouse.test';

  beforeAll(async () => {
    const port = await closedPort();
    // https redirect_uri: the gateway sits behind a TLS-terminating proxy.
    down = await startNodeTarget(
      auth0Config(`http://127.0.0.1:${port}`, { redirect_uri: `${HTTPS_PUBLIC}/auth/callback` }),
      {},
    );
    downBrowser = new Browser({ [HTTPS_PUBLIC]: down.url });
  });
  afterAll(async () => {
    await down?.close();
  });

  it('the cookie is Secure when the callback is https, even if the gateway sees http', async () => {
    const response = await downBrowser.get(`${HTTPS_PUBLIC}/auth/login`);
    expect(response.status).toBe(302);
    expect(response.headers.getSetCookie()[0]).toMatch(/; Secure$/);
  });

  it('callback → 502 AUTH0_NETWORK_ERROR', async () => {
    const login = await downBrowser.get(`${HTTPS_PUBLIC}/auth/login`);
    const state = new URL(login.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const response = await downBrowser.get(`${HTTPS_PUBLIC}/auth/callback?code=abc&state=${state}`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: 'Auth0 token exchange request failed',
      code: 'AUTH0_NETWORK_ERROR',
    });
  });
});
