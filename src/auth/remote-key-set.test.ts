import { afterEach, describe, expect, it } from 'vitest';
import type { AuthorizerConfig } from '../config/schema.js';
import { isGatewayError, type GatewayError } from '../errors/gateway-error.js';
import { renderGatewayError } from '../errors/render.js';
import { startJwksServer, type JwksServer } from '../../test/fixtures/jwks-server.js';
import {
  authTestPlatform,
  bearer,
  claimsAt,
  createKeyPair,
  jwksOf,
  signToken,
  type AuthTestPlatform,
  type TestKeyPair,
} from '../../test/fixtures/keys.js';
import { createAuthorizers, type AuthorizerOptions } from './create-authorizers.js';
import type { Authorizer } from './types.js';

/** Remote key sets against a real HTTP server on 127.0.0.1 (docs/AUTH.md "Remote key sets"). */

const servers: JwksServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(...pairs: TestKeyPair[]): Promise<JwksServer> {
  const server = await startJwksServer(jwksOf(...pairs).keys);
  servers.push(server);
  return server;
}

function setup(
  jwksUri: string,
  options: AuthorizerOptions = {},
  platform: AuthTestPlatform = authTestPlatform(),
) {
  const config: AuthorizerConfig = { type: 'jwt', algorithms: ['RS256', 'ES256'], jwks_uri: jwksUri };
  const authorizer = createAuthorizers({ authorizer: config }, platform, options).get(
    'default',
  ) as Authorizer;
  return { authorizer, platform };
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (isGatewayError(error)) return error;
    throw error;
  }
  throw new Error('expected the token to be refused');
}

const key = await createKeyPair('ES256', 'key-1');
const rotated = await createKeyPair('ES256', 'key-2');

describe('remote key sets: caching', () => {
  it('fetches once, then serves requests from the cache', async () => {
    const server = await serve(key);
    const { authorizer, platform } = setup(server.jwksUrl);
    for (let i = 0; i < 5; i++) {
      const token = await signToken(key, claimsAt(platform.time, { n: i }));
      await expect(authorizer.authenticate(bearer(token))).resolves.toMatchObject({ n: i });
    }
    expect(server.hits).toBe(1);
  });

  it('prefetch fetches before the first request; prefetch never rejects', async () => {
    const server = await serve(key);
    const { authorizer, platform } = setup(server.jwksUrl);
    await authorizer.prefetch();
    expect(server.hits).toBe(1);
    await authorizer.authenticate(bearer(await signToken(key, claimsAt(platform.time))));
    expect(server.hits).toBe(1);
    server.setMode({ kind: 'failing' });
    const down = await serve(key);
    down.setMode({ kind: 'failing' });
    const other = setup(down.jwksUrl);
    await expect(other.authorizer.prefetch()).resolves.toBeUndefined();
    expect(other.platform.logs.some((l) => l.msg === 'authorizer key set prefetch failed')).toBe(true);
  });

  it('refetches once the keys are older than the cache age (10 minutes)', async () => {
    const server = await serve(key);
    const { authorizer, platform } = setup(server.jwksUrl);
    await authorizer.authenticate(bearer(await signToken(key, claimsAt(platform.time, { n: 1 }))));
    platform.time += 10 * 60_000 + 1;
    await authorizer.authenticate(bearer(await signToken(key, claimsAt(platform.time, { n: 2 }))));
    expect(server.hits).toBe(2);
  });

  it('one client per URL: two authorizers naming the same key set share one fetch', async () => {
    const server = await serve(key);
    const platform = authTestPlatform();
    const config: AuthorizerConfig = { type: 'jwt', algorithms: ['ES256'], jwks_uri: server.jwksUrl };
    const authorizers = createAuthorizers(
      { authorizers: { a: config, b: { ...config, audience: 'x' } } },
      platform,
    );
    await Promise.all([...authorizers.values()].map((a) => a.prefetch()));
    const token = await signToken(key, claimsAt(platform.time, { aud: 'x' }));
    await authorizers.get('a')?.authenticate(bearer(token));
    await authorizers.get('b')?.authenticate(bearer(token));
    expect(server.hits).toBe(1);
  });
});

describe('remote key sets: unknown kid, cooldown, shared fetches', () => {
  it('an unknown kid right after a fetch is refused without fetching again', async () => {
    const server = await serve(key);
    const { authorizer, platform } = setup(server.jwksUrl);
    const error = await refusal(
      authorizer.authenticate(bearer(await signToken(rotated, claimsAt(platform.time)))),
    );
    expect(error.code).toBe('ERR_JWKS_NO_MATCHING_KEY');
    expect(server.hits).toBe(1);
  });

  it('refetches on an unknown kid once the cooldown (30 s) has passed, then cools down again', async () => {
    const server = await serve(key);
    const { authorizer, platform } = setup(server.jwksUrl);
    await authorizer.prefetch();
    server.setKeys(jwksOf(key, rotated).keys);

    platform.time += 10_000;
    const early = await refusal(
      authorizer.authenticate(bearer(await signToken(rotated, claimsAt(platform.time)))),
    );
    expect(early.code).toBe('ERR_JWKS_NO_MATCHING_KEY');
    expect(server.hits).toBe(1);

    platform.time += 21_000;
    await expect(
      authorizer.authenticate(bearer(await signToken(rotated, claimsAt(platform.time)))),
    ).resolves.toBeDefined();
    expect(server.hits).toBe(2);

    platform.time += 41_000;
    const stranger = await createKeyPair('ES256', 'abc');
    const error = await refusal(
      authorizer.authenticate(bearer(await signToken(stranger, claimsAt(platform.time)))),
    );
    expect(error.code).toBe('ERR_JWKS_NO_MATCHING_KEY');
    expect(server.hits).toBe(3);
    platform.time += 1_000;
    const again = await refusal(
      authorizer.authenticate(bearer(await signToken(stranger, claimsAt(platform.time, { n: 2 })))),
    );
    expect(server.hits).toBe(3);
    expect(again.detail?.message).toBe(
      `kid "abc" not among the 2 keys fetched 1 s ago from ${server.jwksUrl} (kids: "key-1", "key-2")`,
    );
  });

  it('concurrent first requests share one fetch', async () => {
    const server = await serve(key);
    server.setMode({ kind: 'slow', delayMs: 150 });
    const { authorizer, platform } = setup(server.jwksUrl);
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, n) => signToken(key, claimsAt(platform.time, { n }))),
    );
    const results = await Promise.all(tokens.map((token) => authorizer.authenticate(bearer(token))));
    expect(results).toHaveLength(20);
    expect(server.hits).toBe(1);
  });

  it('concurrent unknown-kid misses after the cooldown share one refetch', async () => {
    const server = await serve(key);
    const { authorizer, platform } = setup(server.jwksUrl);
    await authorizer.prefetch();
    server.setKeys(jwksOf(key, rotated).keys);
    server.setMode({ kind: 'slow', delayMs: 150 });
    platform.time += 31_000;
    const tokens = await Promise.all(
      Array.from({ length: 10 }, (_, n) => signToken(rotated, claimsAt(platform.time, { n }))),
    );
    await Promise.all(tokens.map((token) => authorizer.authenticate(bearer(token))));
    expect(server.hits).toBe(2);
  });
});

describe('remote key sets: failing closed', () => {
  it('a slow key set → ERR_JWKS_UNAVAILABLE within the timeout', async () => {
    const server = await serve(key);
    server.setMode({ kind: 'slow', delayMs: 5_000 });
    const { authorizer, platform } = setup(server.jwksUrl, { remoteKeySet: { timeoutMs: 300 } });
    const started = Date.now();
    const error = await refusal(
      authorizer.authenticate(bearer(await signToken(key, claimsAt(platform.time)))),
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await renderGatewayError(error).json()).toEqual({
      error: 'Unable to fetch signing keys',
      code: 'ERR_JWKS_UNAVAILABLE',
    });
    expect(error.detail?.message).toContain('timed out after 300 ms');
  });

  it('HTTP 500 → ERR_JWKS_UNAVAILABLE; fails fast for a moment, then retries and recovers', async () => {
    const server = await serve(key);
    server.setMode({ kind: 'failing' });
    const { authorizer, platform } = setup(server.jwksUrl);
    const token = await signToken(key, claimsAt(platform.time));
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(error.code).toBe('ERR_JWKS_UNAVAILABLE');
    expect(error.detail?.message).toContain('HTTP 500');
    expect(server.hits).toBe(1);

    server.setMode({ kind: 'normal' });
    expect((await refusal(authorizer.authenticate(bearer(token)))).code).toBe('ERR_JWKS_UNAVAILABLE');
    expect(server.hits).toBe(1);
    platform.time += 1_500;
    await expect(authorizer.authenticate(bearer(token))).resolves.toBeDefined();
    expect(server.hits).toBe(2);
  });

  it('a redirect is not followed: ERR_JWKS_UNAVAILABLE and the target is never fetched', async () => {
    const target = await serve(key);
    const server = await serve(key);
    server.setMode({ kind: 'redirect', location: target.jwksUrl });
    const { authorizer, platform } = setup(server.jwksUrl);
    const error = await refusal(
      authorizer.authenticate(bearer(await signToken(key, claimsAt(platform.time)))),
    );
    expect(error.code).toBe('ERR_JWKS_UNAVAILABLE');
    expect(error.detail?.message).toContain('redirects are not followed');
    expect(server.hits).toBe(1);
    expect(target.hits).toBe(0);
  });

  it('an oversized key set → ERR_JWKS_UNAVAILABLE', async () => {
    const server = await serve(key);
    server.setMode({ kind: 'oversized', bytes: 600 * 1024 });
    const { authorizer, platform } = setup(server.jwksUrl);
    const error = await refusal(
      authorizer.authenticate(bearer(await signToken(key, claimsAt(platform.time)))),
    );
    expect(error.code).toBe('ERR_JWKS_UNAVAILABLE');
    expect(error.detail?.message).toContain('byte limit');
  });

  it('an unreachable key set → ERR_JWKS_UNAVAILABLE', async () => {
    const server = await serve(key);
    const url = server.jwksUrl;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const { authorizer, platform } = setup(url);
    const error = await refusal(
      authorizer.authenticate(bearer(await signToken(key, claimsAt(platform.time)))),
    );
    expect(error.code).toBe('ERR_JWKS_UNAVAILABLE');
  });

  it.each([
    ['not JSON', 'hello'],
    ['keys not an array', '{"keys": 1}'],
    ['no keys member', '{"foo": []}'],
  ])('a malformed key set (%s) → ERR_JWKS_INVALID', async (_name, body) => {
    const server = await serve(key);
    server.setMode({ kind: 'body', body });
    const { authorizer, platform } = setup(server.jwksUrl);
    const error = await refusal(
      authorizer.authenticate(bearer(await signToken(key, claimsAt(platform.time)))),
    );
    expect(await renderGatewayError(error).json()).toEqual({
      error: 'Invalid JWKS',
      code: 'ERR_JWKS_INVALID',
    });
  });

  it('keys past their cache age are not used when the refetch fails (fail closed)', async () => {
    const server = await serve(key);
    const { authorizer, platform } = setup(server.jwksUrl);
    await authorizer.prefetch();
    server.setMode({ kind: 'failing', status: 503 });
    platform.time += 11 * 60_000;
    const error = await refusal(
      authorizer.authenticate(bearer(await signToken(key, claimsAt(platform.time)))),
    );
    expect(error.code).toBe('ERR_JWKS_UNAVAILABLE');
  });

  it('a jku / x5u header is never fetched', async () => {
    const server = await serve(key);
    const attacker = await serve(rotated);
    const { authorizer, platform } = setup(server.jwksUrl);
    for (const param of ['jku', 'x5u']) {
      const token = await signToken(rotated, claimsAt(platform.time), { [param]: attacker.jwksUrl });
      const error = await refusal(authorizer.authenticate(bearer(token)));
      expect(error.code).toBe('AUTH_VERIFICATION_FAILED');
    }
    expect(attacker.hits).toBe(0);
    expect(server.hits).toBe(0);
  });
});
