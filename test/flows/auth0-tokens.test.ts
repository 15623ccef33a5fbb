import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKeyPair, signToken } from '../fixtures/keys.js';
import type { OidcProvider } from '../fixtures/oidc-provider.js';
import { startNodeTarget, type GatewayTarget } from '../helpers/targets.js';
import { API_AUDIENCE, auth0Config, CLIENT_ID, CLIENT_SECRET, startAuth0Provider } from './auth0-setup.js';
import { closedPort, jsonOf } from './browser.js';

/**
 * auth0_userinfo and auth0_refresh through the real Node gateway against the local OIDC
 * provider: the success paths, the provider's recordings, and every error row.
 */
let provider: OidcProvider;
let gateway: GatewayTarget;

beforeAll(async () => {
  provider = await startAuth0Provider();
  gateway = await startNodeTarget(auth0Config(provider.url), {});
});

afterAll(async () => {
  await gateway?.close();
  await provider?.close();
});

beforeEach(() => provider.reset());

function request(
  target: GatewayTarget,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
) {
  return fetch(`${target.url}${path}`, { method, ...init, signal: AbortSignal.timeout(10_000) });
}

describe('auth0_userinfo', () => {
  it('X-Access-Token → GET /userinfo with that bearer token → 200 with the claims', async () => {
    const token = await provider.accessToken();
    const response = await request(gateway, 'GET', '/auth/userinfo', {
      headers: { 'x-access-token': token },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      sub: provider.user.sub,
      email: provider.user.email,
      name: provider.user.name,
      email_verified: true,
    });
    const calls = provider.requestsTo('/userinfo');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.method).toBe('GET');
    expect(calls[0]?.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('falls back to the Authorization bearer token', async () => {
    const token = await provider.accessToken();
    const response = await request(gateway, 'GET', '/auth/userinfo', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(provider.requestsTo('/userinfo')[0]?.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('no usable token → 401 missing_access_token, no provider call', async () => {
    for (const headers of [
      {},
      { authorization: 'Basic dXNlcjpwYXNz' },
      { 'x-access-token': 'a b' },
      { authorization: 'Bearer' },
    ]) {
      const response = await request(gateway, 'GET', '/auth/userinfo', { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toEqual({ error: 'Missing bearer token', code: 'missing_access_token' });
    }
    expect(provider.requests).toHaveLength(0);
  });

  it('provider refuses the token (401) → 401 Auth0 userinfo failed', async () => {
    const response = await request(gateway, 'GET', '/auth/userinfo', {
      headers: { 'x-access-token': 'not-issued-here' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'Auth0 userinfo failed', code: 'AUTH0_UPSTREAM_ERROR' });
    expect(provider.requestsTo('/userinfo')).toHaveLength(1);
  });

  it('provider 5xx → its status with Auth0 userinfo failed', async () => {
    provider.setMode({ kind: 'fail', status: 500 });
    const response = await request(gateway, 'GET', '/auth/userinfo', {
      headers: { 'x-access-token': 'abc' },
    });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'Auth0 userinfo failed', code: 'AUTH0_UPSTREAM_ERROR' });
  });

  it('provider slower than timeout_ms → 504 Auth0 userinfo request failed', async () => {
    provider.setMode({ kind: 'slow', delayMs: 5000 });
    const response = await request(gateway, 'GET', '/auth/userinfo', {
      headers: { 'x-access-token': 'abc' },
    });
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({
      error: 'Auth0 userinfo request failed',
      code: 'AUTH0_NETWORK_ERROR',
    });
    expect(provider.requestsTo('/userinfo')).toHaveLength(1);
  });
});

describe('auth0_refresh', () => {
  it('expired access token + X-Refresh-Token → exactly one refresh_token grant → 200 new tokens', async () => {
    const expired = await provider.accessToken(-60);
    const refreshToken = provider.refreshToken();
    const response = await request(gateway, 'POST', '/auth/refresh', {
      headers: { authorization: `Bearer ${expired}`, 'x-refresh-token': refreshToken },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const tokens = await jsonOf(response);
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(tokens.access_token).not.toBe(expired);
    const grants = provider.requestsTo('/oauth/token');
    expect(grants).toHaveLength(1);
    expect(grants[0]?.form).toEqual({
      grant_type: 'refresh_token',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      refresh_token: refreshToken,
    });
    // The new access token is accepted where the old one no longer is.
    const me = await request(gateway, 'GET', '/api/me', {
      headers: { authorization: `Bearer ${String(tokens.access_token)}` },
    });
    expect(me.status).toBe(200);
  });

  it('the refresh token may come in the JSON body of a POST', async () => {
    const refreshToken = provider.refreshToken();
    const response = await request(gateway, 'POST', '/auth/refresh', {
      headers: {
        authorization: `Bearer ${await provider.accessToken(-5)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ refresh_token: refreshToken }),
    });
    expect(response.status).toBe(200);
    expect(provider.requestsTo('/oauth/token')[0]?.form.refresh_token).toBe(refreshToken);
  });

  it('still-valid access token → 200 token_still_valid, no provider call', async () => {
    const response = await request(gateway, 'POST', '/auth/refresh', {
      headers: {
        authorization: `Bearer ${await provider.accessToken()}`,
        'x-refresh-token': provider.refreshToken(),
      },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'Token is still valid', code: 'token_still_valid' });
    expect(provider.requests.filter((r) => r.path === '/oauth/token')).toHaveLength(0);
  });

  it('missing refresh token → 400 missing_refresh_token, no provider call', async () => {
    const bearer = { authorization: `Bearer ${await provider.accessToken(-60)}` };
    const attempts: { headers?: Record<string, string>; body?: string }[] = [
      { headers: bearer },
      { headers: { ...bearer, 'x-refresh-token': '   ' } },
      { headers: bearer, body: JSON.stringify({ refresh_token: '' }) },
      { headers: bearer, body: JSON.stringify({ other: 'x' }) },
      { headers: bearer, body: 'refresh_token=abc' },
    ];
    for (const attempt of attempts) {
      const response = await request(gateway, 'POST', '/auth/refresh', attempt);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'Missing refresh token',
        code: 'missing_refresh_token',
      });
    }
    expect(provider.requestsTo('/oauth/token')).toHaveLength(0);
  });

  it('a bearer token that is not merely expired → the auth error table, no provider call', async () => {
    const foreign = await createKeyPair('RS256', provider.key.kid);
    const now = Math.floor(Date.now() / 1000);
    const forged = await signToken(foreign, {
      iss: provider.issuer,
      sub: 'x',
      aud: API_AUDIENCE,
      iat: now - 120,
      exp: now - 60,
    });
    const otherApi = await provider.accessToken(-60, { aud: 'https://other-api.example' });
    const cases: [Record<string, string>, number, string, string][] = [
      [{}, 401, 'AUTH_ERROR', 'Bearer'],
      [
        { authorization: `Bearer ${forged}` },
        401,
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
        'Bearer error="invalid_token"',
      ],
      [
        { authorization: `Bearer ${otherApi}` },
        401,
        'ERR_JWT_CLAIM_VALIDATION_FAILED',
        'Bearer error="invalid_token"',
      ],
    ];
    for (const [headers, status, code, challenge] of cases) {
      const response = await request(gateway, 'POST', '/auth/refresh', {
        headers: { ...headers, 'x-refresh-token': 'rt' },
      });
      expect(response.status).toBe(status);
      expect((await jsonOf(response)).code).toBe(code);
      expect(response.headers.get('www-authenticate')).toBe(challenge);
    }
    expect(provider.requestsTo('/oauth/token')).toHaveLength(0);
  });

  async function refreshWithMode(
    mode: Parameters<OidcProvider['setMode']>[0],
    refreshToken = provider.refreshToken(),
  ) {
    provider.setMode(mode);
    const response = await request(gateway, 'POST', '/auth/refresh', {
      headers: {
        authorization: `Bearer ${await provider.accessToken(-60)}`,
        'x-refresh-token': refreshToken,
      },
    });
    expect(provider.requestsTo('/oauth/token')).toHaveLength(1);
    return response;
  }

  it('provider refuses the refresh token (4xx) → its status with Auth0 refresh token failed', async () => {
    const response = await refreshWithMode({ kind: 'normal' }, 'revoked-refresh-token');
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: 'Auth0 refresh token failed',
      code: 'AUTH0_UPSTREAM_ERROR',
    });
    expect(provider.requestsTo('/oauth/token')[0]?.form.refresh_token).toBe('revoked-refresh-token');
  });

  it('provider 5xx → its status with Auth0 refresh token failed', async () => {
    const response = await refreshWithMode({
      kind: 'fail',
      status: 502,
      body: '<html>bad gateway</html>',
      contentType: 'text/html',
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: 'Auth0 refresh token failed',
      code: 'AUTH0_UPSTREAM_ERROR',
    });
  });

  it('provider slower than timeout_ms → 504 Auth0 refresh token request failed', async () => {
    const response = await refreshWithMode({ kind: 'slow', delayMs: 5000 });
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({
      error: 'Auth0 refresh token request failed',
      code: 'AUTH0_NETWORK_ERROR',
    });
  });
});

describe('provider down (connection refused)', () => {
  let down: GatewayTarget;
  let expired: string;

  beforeAll(async () => {
    const port = await closedPort();
    // Tokens are still verified with the (reachable) provider's keys: only the flow calls fail.
    down = await startNodeTarget(
      auth0Config(`http://127.0.0.1:${port}`, { jwks_uri: `${provider.url}/.well-known/jwks.json` }),
      {},
    );
    expired = await provider.accessToken(-60, { iss: `http://127.0.0.1:${port}/` });
  });
  afterAll(async () => {
    await down?.close();
  });

  it('userinfo → 502 Auth0 userinfo request failed', async () => {
    const response = await request(down, 'GET', '/auth/userinfo', { headers: { 'x-access-token': 'abc' } });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: 'Auth0 userinfo request failed',
      code: 'AUTH0_NETWORK_ERROR',
    });
  });

  it('refresh → 502 Auth0 refresh token request failed', async () => {
    const response = await request(down, 'POST', '/auth/refresh', {
      headers: { authorization: `Bearer ${expired}`, 'x-refresh-token': 'rt' },
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: 'Auth0 refresh token request failed',
      code: 'AUTH0_NETWORK_ERROR',
    });
  });
});
