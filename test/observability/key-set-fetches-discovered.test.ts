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
 * Key sets found through OpenID Connect discovery count in `gatehouse_key_set_fetches_total`
 * like configured `jwks_uri` sets (docs/OBSERVABILITY.md "Metrics"), against panva's
 * oidc-provider on 127.0.0.1: the first fetch of the set discovery names is `ok` for each
 * authorizer that uses it (a `jwt` authorizer with only `issuer`, an `oidc` authorizer), and a
 * refetch that fails (an unknown kid past the cooldown, the provider down) is `error`.
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

async function fetches(): Promise<Record<string, number>> {
  const text = await (await fetch(`${gatehouse?.adminUrl}/metrics`)).text();
  return family(parseExposition(text), 'gatehouse_key_set_fetches_total');
}

const key = (authorizer: string, outcome: string): string =>
  sampleKey('gatehouse_key_set_fetches_total', { authorizer, outcome });

describe('fetches of discovered key sets in gatehouse_key_set_fetches_total', () => {
  it('counts the key set discovery names, per authorizer, ok and error', async () => {
    gatehouse = await startGatehouse({
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
