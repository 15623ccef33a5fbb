import type { Authorizer } from '../../src/auth/types.js';
import type { AuthorizerConfig } from '../../src/config/schema.js';
import { createJsonLogger } from '../../src/observability/logger.js';
import { createSessionSettings } from '../../src/session/settings.js';
import type { BrowserContext, Page } from 'playwright-core';
import { randomSecret } from '../fixtures/keys.js';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { closedPort } from './browser.js';

/** Shared by the OpenID Connect flow tests: the web app's client and the gateway config. */
export const WEB_CLIENT_ID = 'web-app';
export const WEB_CLIENT_SECRET = randomSecret();

/** A free port for the gateway, so its redirect_uri is known before the provider starts. */
export async function gatewayOrigin(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}`;
}

export function oidcSessionConfig(
  issuer: string,
  origin: string,
  upstream: string,
  authorizer: Record<string, unknown> = {},
  session: Record<string, unknown> = {},
) {
  return {
    servers: [{ alias: 'api', url: upstream }],
    authorizer: {
      type: 'oidc',
      issuer,
      client_id: WEB_CLIENT_ID,
      client_secret: WEB_CLIENT_SECRET,
      redirect_uri: `${origin}/auth/callback`,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      prompt: 'consent',
      post_logout_redirect_uri: `${origin}/app/logged-out`,
      timeout_ms: 3000,
      ...authorizer,
    },
    paths: [
      {
        method: 'GET',
        path: '/auth/login',
        integration: { type: 'oidc_login', session: { return_to: ['/app'], ...session } },
      },
      { method: 'GET', path: '/auth/callback', integration: { type: 'oidc_callback' } },
      { method: 'GET', path: '/auth/userinfo', integration: { type: 'oidc_userinfo' } },
      { method: 'POST', path: '/auth/refresh', integration: { type: 'oidc_refresh' } },
      { method: 'GET', path: '/auth/logout', integration: { type: 'oidc_logout' } },
      { method: 'GET', path: '/app', response: { page: 'app' } },
      { method: 'GET', path: '/app/logged-out', response: { page: 'logged out' } },
      { method: 'ANY', path: '/api/{.+}', auth: true, integration: { type: 'http_proxy', server: 'api' } },
    ],
  };
}

export async function startGatewayAt(
  origin: string,
  config: object,
  logLines: string[] = [],
): Promise<RunningGatehouse> {
  return startGatehouse({
    source: inlineConfigSource(config),
    env: {},
    port: Number(new URL(origin).port),
    logger: createJsonLogger('debug', (line) => logLines.push(line)),
  });
}

/**
 * A `Cookie` header with a session as the callback of `oidcSessionConfig` would seal it (same
 * secret and context), for tests of the session checks that need no login first.
 */
export async function mintSessionCookie(issuer: string, record: Record<string, unknown>): Promise<string> {
  const config = {
    type: 'oidc',
    issuer,
    client_id: WEB_CLIENT_ID,
    client_secret: WEB_CLIENT_SECRET,
  } as AuthorizerConfig;
  const settings = createSessionSettings(
    { name: 'default', config } as Authorizer,
    { return_to: ['/app'] },
    { issuer, clientId: WEB_CLIENT_ID },
  );
  const now = Date.now();
  const lines = await settings.cookies.seal(
    { at: 'session-access-token', ate: now + 600_000, ct: now, la: now, cl: { sub: 'alice' }, ...record },
    now + 600_000,
    now,
    false,
    null,
  );
  return lines.map((line) => line.split(';')[0]).join('; ');
}

/** Aborts every request of a browser context that leaves the machine (the provider's pages link web fonts). */
export async function localOnly(context: BrowserContext): Promise<void> {
  await context.route(/^https?:\/\/(?!(127\.0\.0\.1|localhost)[:/])/, (route) => route.abort());
}

/**
 * Signs in on oidc-provider's development login page (any login, any password) and reaches its
 * consent page; `consent()` then clicks "Continue" (tests wait for where that leads).
 */
export async function signInAtProvider(page: Page, user: string): Promise<{ consent(): Promise<void> }> {
  await page.fill('input[name="login"]', user);
  await page.fill('input[name="password"]', 'any password');
  await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('button[type="submit"]')]);
  await page.waitForSelector('button[type="submit"]');
  return { consent: () => page.click('button[type="submit"]') };
}
