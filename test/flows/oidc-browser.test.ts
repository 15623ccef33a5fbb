import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcWebLogin, type OidcWebLogin } from '../helpers/oidc-web-login.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import type { OpenIdProvider } from '../fixtures/openid-provider.js';
import type { RecordingUpstream } from '../fixtures/recording-upstream.js';
import { localOnly, signInAtProvider, oidcSessionConfig, startGatewayAt } from './oidc-setup.js';

/**
 * A web app's login in a real browser (Chromium, headless) through the real Node gateway
 * against a real OpenID provider (panva's oidc-provider at its default URL layout — not
 * Auth0's): login with consent, the session cookie, an API call carrying only the cookie,
 * a transparent refresh once the access token expired, logout at the provider and back, and
 * the provider's error sent back to the app.
 */
const ACCESS_TOKEN_TTL_S = 12;

let provider: OpenIdProvider;
let upstream: RecordingUpstream;
let gateway: RunningGatehouse;
let origin: string;
let browser: Browser;
let setup: OidcWebLogin;
const logLines: string[] = [];

beforeAll(async () => {
  setup = await startOidcWebLogin({
    // Another site than the gateway (127.0.0.1): the SameSite=Lax cookies must survive the
    // cross-site redirects of a real login.
    hostname: 'localhost',
    accessTokenTtlS: ACCESS_TOKEN_TTL_S,
  });
  ({ origin, upstream, provider, browser } = setup);
  gateway = await startGatewayAt(origin, oidcSessionConfig(provider.issuer, origin, upstream.url), logLines);
});

afterAll(async () => {
  await gateway?.close(500);
  await setup?.close();
});

/** A fresh browser profile that only talks to 127.0.0.1 (the provider's pages link web fonts). */
async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  await localOnly(context);
  return { context, page: await context.newPage() };
}

async function loginAtProvider(page: Page, user: string): Promise<void> {
  const { consent } = await signInAtProvider(page, user);
  // Consent (prompt=consent: the provider asks every time, and grants offline_access).
  await Promise.all([page.waitForURL(`${origin}/app**`), consent()]);
}

async function apiCall(page: Page, path: string, method = 'GET') {
  return page.evaluate(
    async ({ path, method }) => {
      const response = await fetch(path, { method, credentials: 'same-origin' });
      return { status: response.status, body: await response.text() };
    },
    { path, method },
  );
}

async function sessionCookies(context: BrowserContext) {
  return (await context.cookies(origin)).filter((c) => c.name.startsWith('gatehouse_session'));
}

describe('browser login round trip (oidc-provider, default layout)', () => {
  it('logs in, calls the API with only the cookie, refreshes transparently, logs out', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(`${origin}/auth/login?return_to=/app`);
      expect(page.url().startsWith(`${provider.issuer}/interaction/`)).toBe(true);
      await loginAtProvider(page, 'alice');

      // Back at the app, with the session cookie and no tokens in the URL.
      expect(page.url()).toBe(`${origin}/app`);
      const cookies = await sessionCookies(context);
      expect(cookies.length).toBeGreaterThan(0);
      expect(cookies.every((c) => c.httpOnly && c.sameSite === 'Lax')).toBe(true);
      expect((await context.cookies(origin)).some((c) => c.name === 'gatehouse_oidc_tx')).toBe(false);
      expect(provider.grants).toEqual(['authorization_code']);

      // An API call with only the cookie: the upstream gets the access token, not the cookie.
      upstream.reset();
      const first = await apiCall(page, '/api/me');
      expect(first.status).toBe(200);
      const seen = upstream.requests[0];
      expect(seen?.headers.authorization).toMatch(/^Bearer [A-Za-z0-9._~+/-]+=*$/);
      expect(String(seen?.headers.cookie ?? '')).not.toContain('gatehouse_session');
      const firstToken = seen?.headers.authorization;

      // The session's userinfo, straight from the provider.
      const me = await apiCall(page, '/auth/userinfo');
      expect(me.status).toBe(200);
      expect(JSON.parse(me.body)).toMatchObject({ sub: 'alice', email: 'alice@example.test' });

      // After the access token expired: the next call refreshes it (one refresh grant) and works.
      await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL_S * 1000));
      const refreshesBefore = provider.grants.filter((g) => g === 'refresh_token').length;
      const cookieBefore = (await sessionCookies(context)).map((c) => c.value).join('');
      const copiedBeforeRefresh = (await sessionCookies(context))
        .map((c) => `${c.name}=${c.value}`)
        .join('; ');
      upstream.reset();
      const [a, b] = await Promise.all([apiCall(page, '/api/one'), apiCall(page, '/api/two')]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(provider.grants.filter((g) => g === 'refresh_token').length).toBe(refreshesBefore + 1);
      const refreshedToken = upstream.requests[0]?.headers.authorization;
      expect(refreshedToken).not.toBe(firstToken);
      expect(upstream.requests[1]?.headers.authorization).toBe(refreshedToken);
      expect((await sessionCookies(context)).map((c) => c.value).join('')).not.toBe(cookieBefore);
      const again = await apiCall(page, '/api/three');
      expect(again.status).toBe(200);
      expect(provider.grants.filter((g) => g === 'refresh_token').length).toBe(refreshesBefore + 1);

      // A state-changing call from the app's own page passes the Origin check.
      expect((await apiCall(page, '/api/write', 'POST')).status).toBe(200);

      // No log line holds a token, a session cookie or an authorization code.
      const secrets = [firstToken, refreshedToken, ...cookies.map((c) => c.value)].map((v) =>
        String(v).replace(/^Bearer /, ''),
      );
      const log = logLines.join('\n');
      expect(log).toContain('"auth":"session"');
      for (const secret of secrets) expect(log).not.toContain(secret.slice(0, 40));
      expect(log).not.toMatch(/code=(?!REDACTED)[\w-]{10,}/);

      // Logout: the refresh token is revoked, the session is cleared, the provider ends its
      // session and sends the browser back.
      const copied = (await sessionCookies(context)).map((c) => `${c.name}=${c.value}`).join('; ');
      const destroyed = provider.refreshTokensDestroyed;
      await page.goto(`${origin}/auth/logout`);
      // Revoked by the gateway before the provider's logout page was even shown.
      expect(provider.refreshTokensDestroyed).toBe(destroyed + 1);
      expect(page.url().startsWith(`${provider.issuer}/session/end`)).toBe(true);
      expect(await sessionCookies(context)).toEqual([]);
      await Promise.all([page.waitForURL(`${origin}/app/logged-out**`), page.click('button[name="logout"]')]);
      expect(provider.endSessions).toBe(1);
      upstream.reset();
      const after = await apiCall(page, '/api/me');
      expect(after.status).toBe(401);
      expect(upstream.requests).toHaveLength(0);
      // A copy of the session taken before the logout cannot get new tokens: the refresh is refused.
      // Neither can one taken before the last refresh.
      for (const cookie of [copied, copiedBeforeRefresh]) {
        const replay = await fetch(`${origin}/auth/refresh`, { method: 'POST', headers: { cookie, origin } });
        expect(replay.status).toBe(401);
        expect(await replay.json()).toMatchObject({ code: 'SESSION_EXPIRED' });
      }
    } finally {
      await context.close();
    }
  }, 60_000);

  it('sends the provider error (the user cancels) back to the app with error and error_description', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(`${origin}/auth/login?return_to=/app`);
      await Promise.all([page.waitForURL(`${origin}/app**`), page.click('text=[ Cancel ]')]);
      const url = new URL(page.url());
      expect(url.pathname).toBe('/app');
      expect(url.searchParams.get('error')).toBe('access_denied');
      expect(url.searchParams.get('error_description')).toBe('End-User aborted interaction');
      expect(await sessionCookies(context)).toEqual([]);
      expect((await apiCall(page, '/api/me')).status).toBe(401);
    } finally {
      await context.close();
    }
  }, 30_000);

  it('a silent login (?prompt=none) without a provider session comes back with error=login_required', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(`${origin}/auth/login?prompt=none&return_to=/app`);
      const url = new URL(page.url());
      expect(url.origin + url.pathname).toBe(`${origin}/app`);
      expect(url.searchParams.get('error')).toBe('login_required');
      expect(url.searchParams.get('error_description')).toBeTruthy();
      expect(await sessionCookies(context)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('refuses a return_to that is not on the allow-list, before any redirect', async () => {
    const { context, page } = await newPage();
    try {
      const response = await page.goto(
        `${origin}/auth/login?return_to=${encodeURIComponent('https://evil.example/app')}`,
      );
      expect(response?.status()).toBe(400);
      expect(JSON.parse((await response?.text()) ?? '{}')).toMatchObject({
        code: 'OIDC_RETURN_TO_NOT_ALLOWED',
      });
      expect(page.url().startsWith(origin)).toBe(true);
    } finally {
      await context.close();
    }
  });
});
