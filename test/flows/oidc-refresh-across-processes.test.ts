import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { startOidcWebLogin, type OidcWebLogin } from '../helpers/oidc-web-login.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { RunningGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import { startGatehouseProcess, type StartedGatehouse } from '../helpers/cli-process.js';
import type { OpenIdProvider } from '../fixtures/openid-provider.js';
import type { RecordingUpstream } from '../fixtures/recording-upstream.js';
import { startRedisServer, type RedisServer } from '../fixtures/redis-server.js';
import { localOnly, oidcSessionConfig, signInAtProvider, startGatewayAt } from './oidc-setup.js';

/**
 * Refresh across processes (docs/FLOWS.md "Refresh across processes"): three gateways — one in
 * this process, two `gatehouse start` child processes — share sessions in one real redis-server,
 * in front of a real OpenID provider that rotates refresh tokens. After the access token
 * expired, concurrent requests through all three refresh the session exactly once at the
 * provider (the lease in Redis), and every request goes upstream with the one renewed token.
 */
const ACCESS_TOKEN_TTL_S = 5;

let redis: RedisServer;
let provider: OpenIdProvider;
let upstream: RecordingUpstream;
let gateway: RunningGatehouse;
let others: StartedGatehouse[] = [];
let origin: string;
let browser: Browser;
let setup: OidcWebLogin;
let dir: string;

beforeAll(async () => {
  redis = await startRedisServer();
  setup = await startOidcWebLogin({ accessTokenTtlS: ACCESS_TOKEN_TTL_S, rotateRefreshToken: true });
  ({ origin, upstream, provider, browser } = setup);
  const config = oidcSessionConfig(
    provider.issuer,
    origin,
    upstream.url,
    {},
    { store: { type: 'redis', url: redis.url } },
  );
  gateway = await startGatewayAt(origin, config);
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-shared-refresh-'));
  const file = join(dir, 'api-config.json');
  writeFileSync(file, JSON.stringify(config));
  others = await Promise.all([
    startGatehouseProcess(['--config', file]),
    startGatehouseProcess(['--config', file]),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(others.map((other) => other.stop()));
  await gateway?.close(500);
  await setup?.close();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a session shared by three gateway processes', () => {
  it('is refreshed once at the provider when concurrent requests find its token expired', async () => {
    const context = await browser.newContext();
    await localOnly(context);
    let cookie: string;
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/auth/login`);
      const { consent } = await signInAtProvider(page, 'erin');
      await Promise.all([page.waitForURL(`${origin}/app**`), consent()]);
      const session = (await context.cookies(origin)).find((c) => c.name === 'gatehouse_session');
      expect(session).toBeDefined();
      cookie = `gatehouse_session=${session?.value ?? ''}`;
    } finally {
      await context.close();
    }

    // Every process opens the session and sends the login's access token upstream.
    upstream.reset();
    const urls = [gateway.url, ...others.map((other) => other.url)];
    for (const url of urls) {
      expect((await fetch(`${url}/api/me`, { headers: { cookie } })).status).toBe(200);
    }
    const loginToken = upstream.requests[0]?.headers.authorization;
    expect(loginToken).toMatch(/^Bearer .{20,}/);
    expect(new Set(upstream.requests.map((r) => r.headers.authorization))).toEqual(new Set([loginToken]));
    expect(provider.grants).toEqual(['authorization_code']);

    // The access token expires; then twelve requests at once, four through each process.
    await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL_S * 1000 + 500));
    upstream.reset();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        fetch(`${urls[i % urls.length] ?? ''}/api/me`, { headers: { cookie } }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 12 }, () => 200));
    expect(provider.grants).toEqual(['authorization_code', 'refresh_token']);
    const renewed = new Set(upstream.requests.map((r) => r.headers.authorization));
    expect(renewed.size).toBe(1);
    expect(renewed.has(loginToken)).toBe(false);

    // The same cookie keeps working everywhere with the renewed token; no further grant.
    upstream.reset();
    for (const url of urls) {
      expect((await fetch(`${url}/api/me`, { headers: { cookie } })).status).toBe(200);
    }
    expect(new Set(upstream.requests.map((r) => r.headers.authorization))).toEqual(renewed);
    expect(provider.grants).toEqual(['authorization_code', 'refresh_token']);
  }, 60_000);
});
