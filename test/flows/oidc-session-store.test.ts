import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcWebLogin, type OidcWebLogin } from '../helpers/oidc-web-login.js';
import type { Browser } from 'playwright-core';
import { Redis } from 'ioredis';
import type { RunningGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import type { OpenIdProvider } from '../fixtures/openid-provider.js';
import type { RecordingUpstream } from '../fixtures/recording-upstream.js';
import { startRedisServer, type RedisServer } from '../fixtures/redis-server.js';
import { localOnly, oidcSessionConfig, signInAtProvider, startGatewayAt } from './oidc-setup.js';

/**
 * Browser sessions kept in a real Redis server (`session.store: {"type": "redis"}`): the cookie
 * carries only a sealed id, the tokens live in Redis with a TTL, and logout deletes them — so a
 * cookie copied before the logout no longer works, which a cookie-only session cannot promise.
 */
let redis: RedisServer;
/** A client of the test's own, to look into Redis. */
let inspect: Redis;
let provider: OpenIdProvider;
let upstream: RecordingUpstream;
let gateway: RunningGatehouse;
let origin: string;
let browser: Browser;
let setup: OidcWebLogin;

beforeAll(async () => {
  redis = await startRedisServer();
  inspect = new Redis(redis.url);
  setup = await startOidcWebLogin();
  ({ origin, upstream, provider, browser } = setup);
  gateway = await startGatewayAt(
    origin,
    oidcSessionConfig(
      provider.issuer,
      origin,
      upstream.url,
      {},
      { store: { type: 'redis', url: redis.url } },
    ),
  );
});

afterAll(async () => {
  await gateway?.close(500);
  inspect?.disconnect();
  await setup?.close();
  await redis?.stop();
});

describe('sessions in Redis', () => {
  it('keeps the tokens server-side, and logout revokes a copied cookie', async () => {
    const context = await browser.newContext();
    await localOnly(context);
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/auth/login`);
      const { consent } = await signInAtProvider(page, 'dave');
      await Promise.all([page.waitForURL(`${origin}/app**`), consent()]);

      const cookie = (await context.cookies(origin)).find((c) => c.name === 'gatehouse_session');
      expect(cookie).toBeDefined();
      // Only an id: far smaller than the tokens it stands for.
      expect(cookie?.value.length).toBeLessThan(300);
      expect(await inspect.dbsize()).toBe(1);

      upstream.reset();
      const copied = `gatehouse_session=${cookie?.value ?? ''}`;
      const call = await fetch(`${origin}/api/me`, { headers: { cookie: copied } });
      expect(call.status).toBe(200);
      expect(upstream.requests[0]?.headers.authorization).toMatch(/^Bearer .{20,}/);

      await page.goto(`${origin}/auth/logout`);
      expect(await inspect.dbsize()).toBe(0);
      upstream.reset();
      const after = await fetch(`${origin}/api/me`, { headers: { cookie: copied } });
      expect(after.status).toBe(401);
      expect(await after.json()).toMatchObject({ code: 'SESSION_EXPIRED' });
      expect(upstream.requests).toHaveLength(0);
    } finally {
      await context.close();
    }
  }, 30_000);
});
