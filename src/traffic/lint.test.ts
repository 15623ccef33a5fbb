import { describe, expect, it } from 'vitest';
import { createNodePlatform } from '../adapters/node/platform.js';
import { createWorkersPlatform } from '../adapters/workers/platform.js';
import { compileGateway } from '../assembly/compile-gateway.js';
import { loadConfig } from '../assembly/load-config.js';
import { ConfigInvalidError, formatProblem } from '../config/problems.js';
import { keyHash } from '../consumers/hash.js';
import { silentLogger } from '../observability/logger.js';
import type { Platform } from '../platform.js';

/** Validation of traffic control (docs/TRAFFIC.md "Validation"): each refusal, with its pointer. */
const base = {
  servers: [{ alias: 'up', url: 'http://127.0.0.1:1' }],
  rate_limits: {
    per_user: { limit: 10, window_s: 60, key: ['$request.jwt.sub'] },
    plain: { limit: 5, window_s: 1 },
  },
  authorizers: { hs: { type: 'jwt', secret: 'a-secret-that-is-long-enough-0123456789ab' } },
};

function problemsOf(config: Record<string, unknown>, env: Record<string, string> = {}): string[] {
  try {
    loadConfig({ ...base, ...config }, { env });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigInvalidError)) throw error;
    return error.problems.map(formatProblem);
  }
}

const route = (extra: Record<string, unknown>): Record<string, unknown> => ({
  paths: [{ method: 'GET', path: '/x', integration: { type: 'http_proxy', server: 'up' }, ...extra }],
});

describe('rate_limits validation', () => {
  it('refuses unknown policy names, with a suggestion', () => {
    expect(problemsOf(route({ rate_limit: 'plian' }))).toEqual([
      '/paths/0/rate_limit: no rate_limits policy named "plian"; did you mean "plain"? (known: per_user, plain)',
    ]);
    expect(problemsOf({ ...route({}), gateway: { default_rate_limit: ['plain', 'nope'] } })[0]).toMatch(
      /^\/gateway\/default_rate_limit\/1: no rate_limits policy named "nope"/,
    );
    expect(problemsOf({ ...route({}), consumers: { a: { keys: ['k'], rate_limit: 'nope' } } })[0]).toMatch(
      /^\/consumers\/a\/rate_limit: no rate_limits policy named "nope"/,
    );
  });

  it('refuses limit and window_s out of range (windows up to a day)', () => {
    const out = (policy: Record<string, unknown>): string[] =>
      problemsOf({ ...route({}), rate_limits: { p: policy } });
    expect(out({ limit: 0, window_s: 1 })[0]).toMatch(/^\/rate_limits\/p\/limit: /);
    expect(out({ limit: 1, window_s: 86_401 })[0]).toMatch(/^\/rate_limits\/p\/window_s: /);
    expect(out({ limit: 1, window_s: 0 })[0]).toMatch(/^\/rate_limits\/p\/window_s: /);
    expect(out({ limit: 1.5, window_s: 1 })[0]).toMatch(/^\/rate_limits\/p\/limit: /);
    expect(out({ limit: 1, window_s: 86_400 })).toEqual([]);
    expect(out({ limit: 200_001, window_s: 2 })[0]).toMatch(
      /^\/rate_limits\/p\/limit: more than 100,000 requests per second/,
    );
  });

  it('refuses a key that is knowably missing: $request.jwt.* on a route without auth', () => {
    expect(problemsOf(route({ rate_limit: 'per_user' }))).toEqual([
      '/paths/0/rate_limit: policy "per_user" keys on $request.jwt.* but the route has no JWT authorizer, so every request would share its one "missing" bucket',
    ]);
    expect(problemsOf(route({ rate_limit: 'per_user', auth: 'hs' }))).toEqual([]);
  });

  it('refuses $request.jwt.* or $request.consumer.* in a before_auth policy', () => {
    const problems = problemsOf({
      ...route({}),
      rate_limits: { early: { limit: 1, window_s: 1, key: ['$request.jwt.sub'], before_auth: true } },
    });
    expect(problems[0]).toMatch(/^\/rate_limits\/early\/key: a before_auth policy runs before/);
  });

  it('refuses keys outside the mapping vocabulary', () => {
    const problems = problemsOf({
      ...route({}),
      rate_limits: { p: { limit: 1, window_s: 1, key: ['$request.body.x'] } },
    });
    expect(problems[0]).toMatch(/^\/rate_limits\/p\/key\/0: unknown source "\$request.body"/);
    const consumer = problemsOf({
      ...route({}),
      rate_limits: { p: { limit: 1, window_s: 1, key: ['$request.consumer.plan'] } },
    });
    expect(consumer[0]).toMatch(/^\/rate_limits\/p\/key\/0: .*"\$request.consumer.plan"/);
  });

  it('refuses a redis store without url and fields of another store type', () => {
    expect(problemsOf({ ...route({}), gateway: { rate_limit_store: { type: 'redis' } } })).toEqual([
      '/gateway/rate_limit_store/url: is required for the "redis" store',
    ]);
    expect(
      problemsOf({ ...route({}), gateway: { rate_limit_store: { type: 'memory', url: 'redis://x' } } }),
    ).toEqual(['/gateway/rate_limit_store/url: not a field of the "memory" store']);
  });
});

describe('consumers validation', () => {
  const keys = { type: 'api_key' };
  it('refuses consumers without keys', () => {
    expect(
      problemsOf({ ...route({}), authorizers: { keys }, consumers: { a: { metadata: { plan: 'x' } } } }),
    ).toEqual(['/consumers/a: a consumer needs "keys" or "key_hashes" (no request could ever be it)']);
  });

  it('refuses one key given to two consumers, plain or hashed, without quoting it', () => {
    const problems = problemsOf(
      {
        ...route({}),
        authorizers: { keys },
        consumers: { a: { keys: ['$secret.K'] }, b: { key_hashes: [keyHash('the-shared-key')] } },
      },
      { K: 'the-shared-key' },
    );
    expect(problems).toEqual([
      '/consumers/b/key_hashes/0: this key is also /consumers/a/keys/0 (consumer "a"); a key must identify one consumer',
    ]);
    expect(problems.join('')).not.toContain('the-shared-key');
  });

  it('refuses malformed key hashes and an api_key authorizer with nothing to accept', () => {
    expect(
      problemsOf({
        ...route({}),
        authorizers: { keys },
        consumers: { a: { key_hashes: ['sha256:abc'] } },
      })[0],
    ).toMatch(/^\/consumers\/a\/key_hashes\/0: /);
    expect(problemsOf({ ...route({ auth: 'keys' }), authorizers: { keys } })).toEqual([
      '/authorizers/keys: an api_key authorizer needs "consumers" (or "consumers_kv" on Workers): no key could ever be accepted',
    ]);
  });

  it('refuses $request.consumer.* keys on a route that authenticates no consumer', () => {
    const problems = problemsOf({
      ...route({ rate_limit: 'gold' }),
      rate_limits: { gold: { limit: 1, window_s: 1, key: ['$request.consumer.name'] } },
    });
    expect(problems[0]).toMatch(
      /^\/paths\/0\/rate_limit: policy "gold" keys on \$request.consumer.\* but the route has no api_key authorizer/,
    );
  });
});

describe('stores a runtime does not have', () => {
  const compile = (config: Record<string, unknown>, platform: Platform): string[] => {
    try {
      compileGateway(
        loadConfig({ ...base, ...route({ rate_limit: 'plain' }), ...config }, { env: {} }),
        platform,
      );
      return [];
    } catch (error) {
      if (!(error instanceof ConfigInvalidError)) throw error;
      return error.problems.map(formatProblem);
    }
  };
  const node = createNodePlatform({
    env: {},
    logger: silentLogger,
    upstream: () => Promise.reject(new Error('x')),
  });
  const workers = createWorkersPlatform({
    env: {},
    logger: silentLogger,
    upstream: () => Promise.reject(new Error('x')),
    waitUntil: () => undefined,
    selfOrigin: () => undefined,
  });

  it('Node refuses a Durable Object store', () => {
    expect(
      compile({ gateway: { rate_limit_store: { type: 'durable_object', binding: 'RATE_LIMITER' } } }, node),
    ).toEqual([
      '/gateway/rate_limit_store: the "durable_object" store exists on Cloudflare Workers only; on Node use "memory" or "redis"',
    ]);
  });

  it('Workers refuse a Redis store', () => {
    const problems = compile(
      { gateway: { rate_limit_store: { type: 'redis', url: 'redis://127.0.0.1:6379' } } },
      workers,
    );
    expect(problems[0]).toMatch(/^\/gateway\/rate_limit_store: the "redis" store needs a TCP connection/);
  });

  it('a config without rate limits opens no store', () => {
    const loaded = loadConfig({ ...base, paths: [{ method: 'GET', path: '/', response: {} }] }, { env: {} });
    expect(() => compileGateway(loaded, node)).not.toThrow();
  });
});
