import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisSessionStores,
  type RedisSessionStores,
} from '../../src/adapters/node/redis-session-store.js';
import { startRedisServer, type RedisServer } from '../fixtures/redis-server.js';

/**
 * The refresh lease of sessions in Redis (docs/FLOWS.md "Refresh across processes"), against a
 * real redis-server, through two separate connections as two gateway processes would hold:
 * one holder at a time, only the holder's token releases it, and it ends by itself.
 */
let redis: RedisServer;
let first: RedisSessionStores;
let second: RedisSessionStores;

beforeAll(async () => {
  redis = await startRedisServer();
  first = createRedisSessionStores();
  second = createRedisSessionStores();
});

afterAll(async () => {
  first?.close();
  second?.close();
  await redis?.stop();
});

describe('redis session lease', () => {
  it('is held by one connection at a time and released only by its holder', async () => {
    const a = first.open(redis.url);
    const b = second.open(redis.url);
    expect(a.atomicLeases).toBe(true);
    expect(await a.acquireLease('lease:1', 'token-a', 5000)).toBe(true);
    expect(await b.acquireLease('lease:1', 'token-b', 5000)).toBe(false);
    // Another holder's token does not release it.
    await b.releaseLease('lease:1', 'token-b');
    expect(await b.acquireLease('lease:1', 'token-b', 5000)).toBe(false);
    await a.releaseLease('lease:1', 'token-a');
    expect(await b.acquireLease('lease:1', 'token-b', 5000)).toBe(true);
    await b.releaseLease('lease:1', 'token-b');
  });

  it('ends by itself, and a late release by the first holder leaves the next one alone', async () => {
    const a = first.open(redis.url);
    const b = second.open(redis.url);
    expect(await a.acquireLease('lease:2', 'token-a', 200)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await b.acquireLease('lease:2', 'token-b', 5000)).toBe(true);
    await a.releaseLease('lease:2', 'token-a');
    expect(await a.acquireLease('lease:2', 'token-a', 5000)).toBe(false);
    await b.releaseLease('lease:2', 'token-b');
  });

  it('a concurrent race has exactly one winner', async () => {
    const stores = [first.open(redis.url), second.open(redis.url)];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => stores[i % 2]?.acquireLease('lease:3', `token-${i}`, 5000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
