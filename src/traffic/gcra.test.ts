import { describe, expect, it } from 'vitest';
import { gcra } from './gcra.js';
import { MemoryRateLimitStore } from './memory-store.js';
import type { Rate } from './types.js';

/** The algorithm with an injected clock (docs/TRAFFIC.md "Algorithm"): bursts, refill, window edges. */
function clockedStore(maxKeys?: number): { store: MemoryRateLimitStore; clock: { now: number } } {
  const clock = { now: Date.UTC(2026, 11, 1) };
  const store = new MemoryRateLimitStore({ now: () => clock.now, ...(maxKeys ? { maxKeys } : {}) });
  return { store, clock };
}

const admitted = (store: MemoryRateLimitStore, key: string, rate: Rate, n: number): number => {
  let count = 0;
  for (let i = 0; i < n; i++) if (store.check(key, rate).allowed) count++;
  return count;
};

describe('GCRA', () => {
  const rate: Rate = { limit: 5, windowMs: 10_000 };

  it('admits a burst of exactly `limit` from a fresh bucket', () => {
    const { store } = clockedStore();
    const decisions = Array.from({ length: 7 }, () => store.check('k', rate));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
  });

  it('refills one request per window/limit, and says when', () => {
    const { store, clock } = clockedStore();
    admitted(store, 'k', rate, 5);
    const refused = store.check('k', rate);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(2000);
    expect(refused.resetMs).toBe(10_000);
    clock.now += 1999;
    expect(store.check('k', rate).allowed).toBe(false);
    clock.now += 1;
    expect(store.check('k', rate).allowed).toBe(true);
    expect(store.check('k', rate).allowed).toBe(false);
  });

  it('is back to a full burst one window after the last admission', () => {
    const { store, clock } = clockedStore();
    admitted(store, 'k', rate, 5);
    clock.now += 10_000;
    expect(admitted(store, 'k', rate, 10)).toBe(5);
  });

  it('admits the burst and then one per interval over a longer period', () => {
    const { store, clock } = clockedStore();
    let count = 0;
    // One request every 100 ms for 30 s (t = 0 … 29.9 s): the burst of 5 in the first 400 ms,
    // then one each time an interval has passed since the bucket was first counted, at
    // t = 2, 4, …, 28 s: 14 more.
    for (let t = 0; t < 30_000; t += 100) {
      if (store.check('k', rate).allowed) count++;
      clock.now += 100;
    }
    expect(count).toBe(19);
  });

  it('keeps buckets apart', () => {
    const { store } = clockedStore();
    expect(admitted(store, 'a', rate, 9)).toBe(5);
    expect(admitted(store, 'b', rate, 9)).toBe(5);
  });

  it('handles limits that do not divide the window (no float drift at the edge)', () => {
    const { store } = clockedStore();
    expect(admitted(store, 'k', { limit: 3, windowMs: 1000 }, 10)).toBe(3);
    expect(admitted(store, 'd', { limit: 7, windowMs: 86_400_000 }, 10)).toBe(7);
    expect(admitted(store, 'e', { limit: 8_640_000_000, windowMs: 86_400_000 }, 1000)).toBe(1000);
  });

  it('counts a burst of the highest rate lint allows exactly, at a real wall-clock time', () => {
    const clock = { now: Date.UTC(2027, 5, 1, 12, 0, 0, 123) };
    const store = new MemoryRateLimitStore({ now: () => clock.now });
    expect(admitted(store, 'k', { limit: 100_000, windowMs: 1000 }, 100_010)).toBe(100_000);
  });

  it('reports remaining exactly, even when the interval is far below a millisecond', () => {
    const { store } = clockedStore();
    expect(store.check('k', { limit: 100_000, windowMs: 1000 }).remaining).toBe(99_999);
    expect(store.check('k', { limit: 100_000, windowMs: 1000 }).remaining).toBe(99_998);
    expect(store.check('j', { limit: 3, windowMs: 1000 }).remaining).toBe(2);
  });

  it('serves a daily quota with the same mechanism', () => {
    const { store, clock } = clockedStore();
    const daily: Rate = { limit: 1000, windowMs: 86_400_000 };
    expect(admitted(store, 'k', daily, 1200)).toBe(1000);
    const refused = store.check('k', daily);
    expect(refused.retryAfterMs).toBeCloseTo(86_400, 3);
    clock.now += 86_400_000;
    expect(admitted(store, 'k', daily, 1200)).toBe(1000);
  });

  it('the pure function: a refused request leaves the TAT unchanged', () => {
    const first = gcra(undefined, 0, { limit: 1, windowMs: 1000 });
    expect(first.decision.allowed).toBe(true);
    const second = gcra(first.tat, 10, { limit: 1, windowMs: 1000 });
    expect(second.decision.allowed).toBe(false);
    expect(second.tat).toBe(first.tat);
    expect(second.decision.retryAfterMs).toBe(990);
  });
});

describe('memory store bounds', () => {
  const rate: Rate = { limit: 2, windowMs: 1000 };

  it('drops expired buckets as it goes', () => {
    const { store, clock } = clockedStore();
    for (let i = 0; i < 100; i++) store.check(`k${i}`, rate);
    clock.now += 2000;
    for (let i = 0; i < 64; i++) store.check(`n${i}`, rate);
    // Every 16th admission drops up to 32 expired buckets from the oldest end: 4 × 32 ≥ 100.
    expect(store.size).toBe(64);
  });

  it('never holds more than max_keys, evicting the least recently admitted bucket', () => {
    const { store } = clockedStore(3);
    admitted(store, 'a', rate, 2);
    store.check('b', rate);
    store.check('c', rate);
    store.check('d', rate);
    expect(store.size).toBe(3);
    // `a` was evicted: it starts afresh (errs towards admitting).
    expect(store.check('a', rate).allowed).toBe(true);
    // `c` and `d` kept their counts.
    expect(store.check('d', rate).allowed).toBe(true);
    expect(store.check('d', rate).allowed).toBe(false);
  });
});
