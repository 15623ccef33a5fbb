import { readFileSync } from 'node:fs';
import { startOidcWebLogin, type OidcWebLogin } from '../helpers/oidc-web-login.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { randomSecret } from '../fixtures/keys.js';
import type { OpenIdProvider } from '../fixtures/openid-provider.js';
import type { RecordingUpstream } from '../fixtures/recording-upstream.js';
import { localOnly, signInAtProvider, WEB_CLIENT_ID, WEB_CLIENT_SECRET } from './oidc-setup.js';

/** examples/oidc-web-app, unmodified, with the env its README names, in Chromium against oidc-provider. */
let provider: OpenIdProvider;
let upstream: RecordingUpstream;
let gateway: RunningGatehouse;
let origin: string;
let browser: Browser;
let setup: OidcWebLogin;

beforeAll(async () => {
  setup = await startOidcWebLogin({ postLogoutPath: '/app/signed-out' });
  ({ origin, upstream, provider, browser } = setup);
  const config: unknown = JSON.parse(
    readFileSync(new URL('../../examples/oidc-web-app/api-config.json', import.meta.url), 'utf8'),
  );
  gateway = await startGatehouse({
    source: inlineConfigSource(config),
    port: Number(new URL(origin).port),
    env: {
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: WEB_CLIENT_ID,
      OIDC_CLIENT_SECRET: WEB_CLIENT_SECRET,
      OIDC_REDIRECT_URI: `${origin}/auth/callback`,
      OIDC_POST_LOGOUT_REDIRECT_URI: `${origin}/app/signed-out`,
      SESSION_SECRET: randomSecret(),
      API_URL: upstream.url,
    },
  });
});

afterAll(async () => {
  await gateway?.close(500);
  await setup?.close();
});

describe('examples/oidc-web-app', () => {
  it('logs in, calls the API from the page, signs out and comes back', async () => {
    const context = await browser.newContext();
    await localOnly(context);
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/auth/login`);
      const { consent } = await signInAtProvider(page, 'frank');
      await Promise.all([page.waitForURL(`${origin}/app`), consent()]);
      upstream.reset();
      expect(await page.evaluate(async () => (await fetch('/api/orders', { method: 'POST' })).status)).toBe(
        200,
      );
      expect(upstream.requests[0]?.headers.authorization).toMatch(/^Bearer /);
      await page.goto(`${origin}/auth/logout`);
      await Promise.all([page.waitForURL(`${origin}/app/signed-out`), page.click('button[name="logout"]')]);
      expect(await page.evaluate(async () => (await fetch('/api/orders')).status)).toBe(401);
    } finally {
      await context.close();
    }
  }, 30_000);
});
