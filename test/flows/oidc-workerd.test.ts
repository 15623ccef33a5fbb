import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { OpenIdProvider } from '../fixtures/openid-provider.js';
import type { RecordingUpstream } from '../fixtures/recording-upstream.js';
import { startOidcWebLogin } from '../helpers/oidc-web-login.js';
import { startWorkerd, type RunningWorkerd } from '../helpers/workerd-target.js';
import { localOnly, oidcSessionConfig, signInAtProvider } from './oidc-setup.js';

/**
 * The browser login round trip through the Worker in real workerd (Miniflare), with the session
 * kept in a Workers KV namespace: login, an API call with only the cookie, logout at the
 * provider and back, after which the same cookie no longer opens a session.
 */
let provider: OpenIdProvider;
let upstream: RecordingUpstream;
let worker: RunningWorkerd;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  ({ origin, upstream, provider, browser } = await startOidcWebLogin());
  const config = oidcSessionConfig(
    provider.issuer,
    origin,
    upstream.url,
    {},
    { store: { type: 'kv', binding: 'SESSIONS' } },
  );
  worker = await startWorkerd({
    port: Number(new URL(origin).port),
    bindings: { SAG_API_CONFIG_JSON: JSON.stringify(config), GATEHOUSE_LOG_LEVEL: 'warn' },
    kvNamespaces: ['SESSIONS'],
  });
});

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await provider?.close();
  await upstream?.close();
});

describe('browser login through the Worker (workerd, sessions in KV)', () => {
  it('logs in, calls the API with the cookie, logs out', async () => {
    const context = await browser.newContext();
    await localOnly(context);
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/auth/login?return_to=/app`);
      expect(page.url().startsWith(`${provider.issuer}/interaction/`)).toBe(true);
      const { consent } = await signInAtProvider(page, 'erin');
      await Promise.all([page.waitForURL(`${origin}/app**`), consent()]);

      const cookie = (await context.cookies(origin)).find((c) => c.name === 'gatehouse_session');
      expect(cookie?.httpOnly).toBe(true);
      // Miniflare's KV type comes from workers-types, which this project does not load.
      const sessions = (await worker.miniflare.getKVNamespace('SESSIONS')) as unknown as {
        list(): Promise<{ keys: unknown[] }>;
      };
      expect((await sessions.list()).keys).toHaveLength(1);

      upstream.reset();
      const call = await page.evaluate(async () => (await fetch('/api/me')).status);
      expect(call).toBe(200);
      expect(upstream.requests[0]?.headers.authorization).toMatch(/^Bearer .{20,}/);

      const copied = `gatehouse_session=${cookie?.value ?? ''}`;
      await page.goto(`${origin}/auth/logout`);
      expect(page.url().startsWith(`${provider.issuer}/session/end`)).toBe(true);
      await Promise.all([page.waitForURL(`${origin}/app/logged-out**`), page.click('button[name="logout"]')]);
      expect((await sessions.list()).keys).toHaveLength(0);
      const after = await fetch(`${origin}/api/me`, { headers: { cookie: copied } });
      expect(after.status).toBe(401);
    } finally {
      await context.close();
    }
  }, 45_000);
});
