import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { randomSecret } from '../fixtures/keys.js';
import { startOpenIdProvider, type OpenIdProvider } from '../fixtures/openid-provider.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import {
  CHROMIUM_ARGS,
  gatewayOrigin,
  localOnly,
  signInAtProvider,
  WEB_CLIENT_ID,
  WEB_CLIENT_SECRET,
} from './oidc-setup.js';

/** examples/oidc-web-app, unmodified, with the env its README names, in Chromium against oidc-provider. */
let provider: OpenIdProvider;
let upstream: RecordingUpstream;
let gateway: RunningGatehouse;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  origin = await gatewayOrigin();
  upstream = await startRecordingUpstream();
  provider = await startOpenIdProvider({
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        client_secret: WEB_CLIENT_SECRET,
        redirect_uris: [`${origin}/auth/callback`],
        post_logout_redirect_uris: [`${origin}/app/signed-out`],
      },
    ],
  });
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
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
});

afterAll(async () => {
  await browser?.close();
  await gateway?.close(500);
  await provider?.close();
  await upstream?.close();
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
