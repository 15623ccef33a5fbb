import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { claimsAt, createKeyPair, signToken } from '../fixtures/keys.js';
import { startOpenIdProvider, type OpenIdProvider } from '../fixtures/openid-provider.js';
import { family, parseExposition, sampleKey } from '../helpers/prometheus-text.js';

/**
 * Key sets found through OpenID Connect discovery: their readiness and their fetch metrics.
 *
 * Readiness of key sets found through OpenID Connect discovery (an `oidc` authorizer, a `jwt`
 * authorizer with only `issuer`), against panva's oidc-provider on 127.0.0.1: 503 naming them
 * while the provider is down, 200 once discovery and the key set were fetched, 503 again when a
 * refresh (due after the cache age, triggered by a request) fails, 200 when the provider is back.
 */
let provider: OpenIdProvider;
let gatehouse: RunningGatehouse | undefined;

beforeAll(async () => {
  provider = await startOpenIdProvider({
    clients: [
      { client_id: 'web', client_secret: 'web-secret', redirect_uri: ['http://127.0.0.1/cb'] } as never,
    ],
  });
});

afterEach(async () => {
  vi.useRealTimers();
  provider.setAvailable(true);
  await gatehouse?.close(200);
  gatehouse = undefined;
});

afterAll(async () => {
  await provider?.close();
});

async function readyz(): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${gatehouse?.adminUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Polls by the monotonic clock: Date may be moved by the test. */
async function eventually(status: number, timeoutMs = 8_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const answer = await readyz();
    if (answer.status === status || performance.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const detailOf = (body: Record<string, unknown>, check: string): string =>
  String((body.checks as Record<string, { detail?: string }>)[check]?.detail);

/** A `jwt` authorizer named by its issuer alone and an `oidc` authorizer: keys through discovery. */
function startDiscoveringGateway(): Promise<RunningGatehouse> {
  return startGatehouse({
    source: inlineConfigSource({
      authorizers: {
        api: { type: 'jwt', issuer: provider.issuer, audience: 'api' },
        login: {
          type: 'oidc',
          issuer: provider.issuer,
          client_id: 'web',
          client_secret: 'web-secret',
          redirect_uri: 'http://127.0.0.1/cb',
        },
      },
      paths: [
        { method: 'GET', path: '/api', auth: 'api', response: { ok: true } },
        { method: 'GET', path: '/app', auth: 'login', response: { ok: true } },
      ],
    }),
    env: {},
    port: 0,
    admin: { port: 0 },
  });
}

describe('readiness of key sets found through OpenID Connect discovery', () => {
  it('is 503 naming them until discovery and the key set are fetched, 200 after, and flips back when a refresh fails', async () => {
    provider.setAvailable(false);
    gatehouse = await startDiscoveringGateway();

    const down = await eventually(503);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ ready: false, notReady: ['key_set:api', 'key_set:login'] });
    const discoveryUrl = `${provider.issuer}/.well-known/openid-configuration`;
    expect(detailOf(down.body, 'key_set:api')).toBe(`discovery ${discoveryUrl}: answered HTTP 503`);

    provider.setAvailable(true);
    const up = await eventually(200);
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ ready: true, notReady: [] });
    // Ready names the key set discovery pointed to (oidc-provider serves it at /jwks).
    expect(detailOf(up.body, 'key_set:api')).toBe(`${provider.issuer}/jwks`);
    expect(detailOf(up.body, 'key_set:login')).toBe(`${provider.issuer}/jwks`);

    // The provider goes down. Readiness does not poll it: still 200 ...
    provider.setAvailable(false);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 11 * 60_000);
    expect((await readyz()).status).toBe(200);
    // ... until a request needs the document and the keys again (past their 10-minute cache age)
    // and the refresh fails: the request is refused, and readiness follows.
    const key = await createKeyPair('RS256', 'some-key');
    const token = await signToken(key, claimsAt(Date.now(), { iss: provider.issuer, aud: 'api' }));
    const refused = await fetch(`${gatehouse.url}/api`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE' });
    const again = await readyz();
    expect(again.status).toBe(503);
    expect(again.body.notReady).toEqual(['key_set:api', 'key_set:login']);
    expect(detailOf(again.body, 'key_set:api')).toContain('HTTP 503');

    // Back up: the probe fetches again (past the 1 s retry pause) and readiness returns.
    provider.setAvailable(true);
    vi.setSystemTime(Date.now() + 2_000);
    const back = await eventually(200);
    expect(back.status).toBe(200);
  });
});

/**
 * The same key sets count in `gatehouse_key_set_fetches_total` like configured `jwks_uri` sets
 * (docs/OBSERVABILITY.md "Metrics"): the first fetch of the set discovery names is `ok` for each
 * authorizer that uses it, and a refetch that fails (an unknown kid past the cooldown, the
 * provider down) is `error`.
 */
async function fetches(): Promise<Record<string, number>> {
  const text = await (await fetch(`${gatehouse?.adminUrl}/metrics`)).text();
  return family(parseExposition(text), 'gatehouse_key_set_fetches_total');
}

const key = (authorizer: string, outcome: string): string =>
  sampleKey('gatehouse_key_set_fetches_total', { authorizer, outcome });

describe('fetches of discovered key sets in gatehouse_key_set_fetches_total', () => {
  it('counts the key set discovery names, per authorizer, ok and error', async () => {
    gatehouse = await startDiscoveringGateway();

    // The key sets are fetched at start (readiness turns 200 once they are).
    const deadline = performance.now() + 8_000;
    let counted = await fetches();
    while (Object.keys(counted).length < 2 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      counted = await fetches();
    }
    // One key set (both authorizers' issuer names the same jwks_uri), fetched once, counted for each.
    expect(counted).toEqual({ [key('api', 'ok')]: 1, [key('login', 'ok')]: 1 });

    // A token with a kid the set does not hold, past the 30 s cooldown, while the provider is
    // down: the discovery document is still fresh, the key set refetch fails.
    provider.setAvailable(false);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31_000);
    const stranger = await createKeyPair('RS256', 'not-the-providers-key');
    const token = await signToken(stranger, claimsAt(Date.now(), { iss: provider.issuer, aud: 'api' }));
    const refused = await fetch(`${gatehouse.url}/api`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);
    await refused.arrayBuffer();
    expect(await fetches()).toEqual({
      [key('api', 'ok')]: 1,
      [key('login', 'ok')]: 1,
      [key('api', 'error')]: 1,
      [key('login', 'error')]: 1,
    });
  });
});
