import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimitStore } from '../../src/adapters/node/redis-store.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { Decision } from '../../src/traffic/types.js';
import { startRedisServer, type RedisServer } from '../fixtures/redis-server.js';

/**
 * The Redis store sends the checks of one turn of the event loop as one script call
 * (src/adapters/node/redis-store.ts). Against a real redis-server: checks of one bucket in one
 * batch count one after the other, exactly as separate calls would, buckets stay apart, and
 * batches larger than one script call's share are split without losing a check.
 */
let redis: RedisServer;
let store: RedisRateLimitStore;

beforeAll(async () => {
  redis = await startRedisServer();
  store = new RedisRateLimitStore({
    url: redis.url,
    timeoutMs: 2000,
    prefix: `batch-test:${Date.now()}:`,
    logger: silentLogger,
  });
});
afterAll(async () => {
  await store?.close();
  await redis?.stop();
});

const perMinute = (limit: number) => ({ limit, windowMs: 60_000 });

describe('batched Redis checks', () => {
  it('counts repeated checks of one bucket in one batch one after the other', async () => {
    // Issued in one synchronous run: one batch.
    const decisions: Decision[] = await Promise.all(
      Array.from({ length: 10 }, () => store.check('one', perMinute(6))),
    );
    expect(decisions.map((d) => d.allowed)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(decisions.slice(0, 6).map((d) => d.remaining)).toEqual([5, 4, 3, 2, 1, 0]);
    for (const refused of decisions.slice(6)) {
      expect(refused.remaining).toBe(0);
      // One request every 10 s: the next one is admitted within that.
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(10_000);
    }
  });

  it('keeps buckets and policies apart within one batch', async () => {
    const [a1, b1, a2, b2, c1] = await Promise.all([
      store.check('a', perMinute(2)),
      store.check('b', perMinute(1)),
      store.check('a', perMinute(2)),
      store.check('b', perMinute(1)),
      store.check('c', { limit: 100, windowMs: 1000 }),
    ]);
    expect([a1?.allowed, a2?.allowed, b1?.allowed, b2?.allowed, c1?.allowed]).toEqual([
      true,
      true,
      true,
      false,
      true,
    ]);
    expect([a1?.remaining, a2?.remaining, b1?.remaining, c1?.remaining]).toEqual([1, 0, 0, 99]);
  });

  it('splits a batch larger than one script call without losing a check', async () => {
    const decisions = await Promise.all(
      Array.from({ length: 600 }, (_, i) => store.check(`many-${i % 300}`, perMinute(1))),
    );
    // 300 buckets of one request each: the first check of each is admitted, the second refused.
    expect(decisions.filter((d) => d.allowed)).toHaveLength(300);
    decisions.forEach((d, i) => expect(d.allowed).toBe(i < 300));
  });
});
