import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keyHash } from '../../src/consumers/hash.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { startNodeTarget, type GatewayTarget } from '../helpers/targets.js';

/**
 * Rate limits and API keys through real sockets to the Node gateway (`gatehouse start`'s
 * assembly) with the memory store (docs/TRAFFIC.md): exactly `limit` admitted, the RateLimit
 * fields, buckets per key, `before_auth`, consumer plans, API keys accepted and refused, and the
 * key never reaching the upstream.
 */
const SECRET = 'traffic-test-secret-0123456789-abcdefghijklmnop';
const ACME_KEY = 'acme-key-0123456789abcdefghijklmnopqrstuv';
const BETA_KEY = 'beta-key-0123456789abcdefghijklmnopqrstuv';

let upstream: RecordingUpstream;
let target: GatewayTarget;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  target = await startNodeTarget(
    {
      servers: [
        { alias: 'up', url: upstream.url },
        // Port 1 refuses connections: every call is a 502.
        { alias: 'down', url: 'http://127.0.0.1:1' },
      ],
      rate_limits: {
        five: { limit: 5, window_s: 60 },
        per_tenant: { limit: 2, window_s: 60, key: ['$request.header.x-tenant'] },
        per_ip: { limit: 3, window_s: 60, key: ['$request.ip'], before_auth: true },
        gold: { limit: 4, window_s: 60, key: ['$request.consumer.name'] },
        bronze: { limit: 1, window_s: 60, key: ['$request.consumer.name'] },
        shared: { limit: 3, window_s: 60, scope: 'global' },
        everyone: { limit: 1000, window_s: 60 },
      },
      gateway: { default_rate_limit: 'everyone' },
      consumers: {
        acme: { keys: ['$secret.ACME_KEY'], rate_limit: 'gold', metadata: { plan: 'gold', tier: 3 } },
        beta: { key_hashes: [keyHash(BETA_KEY)], rate_limit: 'bronze' },
      },
      authorizers: {
        hs: { type: 'jwt', secret: SECRET },
        keys: { type: 'api_key', header: 'x-api-key', query: 'api_key' },
      },
      paths: [
        {
          method: 'GET',
          path: '/five',
          rate_limit: 'five',
          integration: { type: 'http_proxy', server: 'up' },
        },
        {
          method: 'GET',
          path: '/tenant',
          rate_limit: ['per_tenant'],
          integration: { type: 'http_proxy', server: 'up' },
        },
        {
          method: 'GET',
          path: '/jwt/{.+}',
          auth: 'hs',
          rate_limit: ['per_ip'],
          integration: { type: 'http_proxy', server: 'up' },
        },
        {
          method: 'GET',
          path: '/orders/{.+}',
          auth: 'keys',
          integration: { type: 'http_proxy', server: 'up' },
          mapping: {
            headers: { 'x-consumer': '$request.consumer.name', 'x-plan': '$request.consumer.metadata.plan' },
          },
        },
        { method: 'GET', path: '/shared-a', rate_limit: 'shared', response: { a: true } },
        { method: 'GET', path: '/shared-b', rate_limit: 'shared', response: { b: true } },
        {
          method: 'GET',
          path: '/open',
          rate_limit: false,
          integration: { type: 'http_proxy', server: 'up' },
        },
        { method: 'GET', path: '/static-default', response: { ok: true } },
        {
          method: 'GET',
          path: '/broken',
          rate_limit: 'five',
          integration: { type: 'http_proxy', server: 'down' },
        },
        {
          method: 'GET',
          path: '/keyed-open/{.+}',
          auth: 'keys',
          rate_limit: false,
          integration: { type: 'http_proxy', server: 'up' },
        },
      ],
    },
    { ACME_KEY },
  );
});

afterAll(async () => {
  await target?.close();
  await upstream?.close();
});

beforeEach(() => upstream.reset());

const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${target.url}${path}`, { headers });

describe('a limited route (memory store)', () => {
  it('admits exactly `limit` requests, then answers 429 ERR_RATE_LIMITED without calling the upstream', async () => {
    const statuses: number[] = [];
    const answers: Response[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await get('/five');
      statuses.push(response.status);
      answers.push(response);
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(upstream.requests).toHaveLength(5);

    const first = answers[0] as Response;
    expect(first.headers.get('ratelimit-policy')).toBe('"five";q=5;w=60');
    expect(first.headers.get('ratelimit')).toBe('"five";r=4;t=12');
    // t counts down from 60 s while the five requests run: a loaded machine can take seconds.
    const resetOf = (response: Response): number =>
      Number(/^"five";r=0;t=(\d+)$/.exec(response.headers.get('ratelimit') ?? '')?.[1]);
    expect(resetOf(answers[4] as Response)).toBeGreaterThanOrEqual(55);
    expect(resetOf(answers[4] as Response)).toBeLessThanOrEqual(60);

    const refused = answers[5] as Response;
    expect(refused.headers.get('ratelimit-policy')).toBe('"five";q=5;w=60');
    expect(resetOf(refused)).toBeGreaterThanOrEqual(55);
    expect(resetOf(refused)).toBeLessThanOrEqual(60);
    // One request is admitted every window/limit = 12 s, counted from the first of the burst.
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(9);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(12);
    const body = (await get('/five').then((r) => r.json())) as Record<string, unknown>;
    expect(body).toEqual({ error: 'Too many requests', code: 'ERR_RATE_LIMITED' });
  });

  it('counts each key value in its own bucket, and requests without the value in one shared bucket', async () => {
    const status = async (headers: Record<string, string>): Promise<number> =>
      (await get('/tenant', headers)).status;
    expect([
      await status({ 'x-tenant': 'a' }),
      await status({ 'x-tenant': 'a' }),
      await status({ 'x-tenant': 'a' }),
    ]).toEqual([200, 200, 429]);
    expect([await status({ 'x-tenant': 'b' }), await status({ 'x-tenant': 'b' })]).toEqual([200, 200]);
    // No header: the "missing" bucket, shared by every such request (docs/TRAFFIC.md).
    expect([await status({}), await status({}), await status({})]).toEqual([200, 200, 429]);
    // A value that spells the missing marker is still its own bucket.
    expect(await status({ 'x-tenant': '-' })).toBe(200);
  });

  it('a global policy shares one bucket across routes', async () => {
    const a1 = await get('/shared-a');
    const b1 = await get('/shared-b');
    const a2 = await get('/shared-a');
    const b2 = await get('/shared-b');
    expect([a1.status, b1.status, a2.status, b2.status]).toEqual([200, 200, 200, 429]);
  });

  it('the RateLimit fields ride on errors further on too (a 502 from a dead upstream)', async () => {
    const response = await get('/broken');
    expect(response.status).toBe(502);
    expect(response.headers.get('ratelimit-policy')).toBe('"five";q=5;w=60');
    expect(response.headers.get('ratelimit')).toBe('"five";r=4;t=12');
  });

  it('gateway.default_rate_limit applies to routes that name none, and `rate_limit: false` opts out', async () => {
    const limited = await get('/static-default');
    expect(limited.headers.get('ratelimit-policy')).toBe('"everyone";q=1000;w=60');
    const open = await get('/open');
    expect(open.status).toBe(200);
    expect(open.headers.get('ratelimit-policy')).toBeNull();
    expect(open.headers.get('ratelimit')).toBeNull();
  });
});

describe('before_auth', () => {
  it('sheds a flood of bad tokens before verification: 401 until the per-IP limit, then 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await get('/jwt/x', { authorization: 'Bearer not-a-token' });
      statuses.push(response.status);
      if (i === 0) expect(response.headers.get('ratelimit-policy')).toBe('"per_ip";q=3;w=60');
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('API keys and consumers', () => {
  it('refuses a missing key with 401 ERR_API_KEY_MISSING and a WWW-Authenticate challenge', async () => {
    const response = await get('/orders/1');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'No API key provided', code: 'ERR_API_KEY_MISSING' });
    expect(response.headers.get('www-authenticate')).toBe(
      'ApiKey realm="gatehouse", header="x-api-key", query="api_key"',
    );
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses an unknown key with 401 ERR_API_KEY_INVALID', async () => {
    const response = await get('/orders/1', { 'x-api-key': 'nope' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'Invalid API key', code: 'ERR_API_KEY_INVALID' });
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_key"');
    expect(upstream.requests).toHaveLength(0);
  });

  it('accepts a key from the header, maps the consumer, and never forwards the key', async () => {
    const response = await get('/orders/7?x=1', { 'x-api-key': ACME_KEY });
    expect(response.status).toBe(200);
    const [seen] = upstream.requests;
    expect(seen?.headers['x-consumer']).toBe('acme');
    expect(seen?.headers['x-plan']).toBe('gold');
    expect(seen?.headers['x-api-key']).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain(ACME_KEY);
    expect(seen?.url).toBe('/7?x=1');
  });

  it('accepts a key from the query parameter and removes it before forwarding', async () => {
    const response = await get(`/orders/8?a=1&api_key=${BETA_KEY}&b=2`);
    expect(response.status).toBe(200);
    const [seen] = upstream.requests;
    expect(seen?.headers['x-consumer']).toBe('beta');
    expect(seen?.headers['x-plan']).toBeUndefined();
    expect(seen?.url).toBe('/8?a=1&b=2');
    expect(JSON.stringify(seen)).not.toContain(BETA_KEY);
  });

  it("applies each consumer's plan to its own requests", async () => {
    // beta's plan (bronze, 1/min) was used by the previous test; acme (gold, 4/min) used one.
    const beta = await get('/orders/9', { 'x-api-key': BETA_KEY });
    expect(beta.status).toBe(429);
    expect(beta.headers.get('ratelimit-policy')).toBe('"everyone";q=1000;w=60, "bronze";q=1;w=60');
    const acme: number[] = [];
    for (let i = 0; i < 4; i++) acme.push((await get('/orders/9', { 'x-api-key': ACME_KEY })).status);
    expect(acme).toEqual([200, 200, 200, 429]);
    // The plan is the consumer's: a route with `rate_limit: false` still counts it (per route
    // pattern, as bronze is not `scope: global`: a fresh bucket on this route).
    const optedOut = await get('/keyed-open/1', { 'x-api-key': BETA_KEY });
    expect(optedOut.status).toBe(200);
    expect(optedOut.headers.get('ratelimit-policy')).toBe('"bronze";q=1;w=60');
    expect((await get('/keyed-open/2', { 'x-api-key': BETA_KEY })).status).toBe(429);
  });
});
