import type { Decision, Rate } from './types.js';

/**
 * The Generic Cell Rate Algorithm (ITU-T I.371; the "virtual scheduling" form), the one
 * algorithm every store runs (docs/TRAFFIC.md "Algorithm"). Why GCRA rather than a sliding
 * window: its whole state is one number per bucket — the theoretical arrival time (TAT) — so it
 * is O(1) in time and memory on every store, one atomic read-modify-write in Redis or a Durable
 * Object, exact (no approximation between two fixed windows), and the same code serves a
 * one-second burst limit and a daily quota. A sliding log is exact but stores every request; a
 * sliding-window counter is O(1) but approximate.
 *
 * A policy of `limit` per `window` admits a burst of `limit` from a fresh bucket, then one request
 * every `window / limit`: at most `limit` in any burst, and `limit` per window on average.
 * (Redis runs the same arithmetic in Lua: adapters/node/redis-store.ts.)
 */
export interface GcraResult {
  readonly decision: Decision;
  /** The bucket's new TAT when admitted (unchanged when refused). */
  readonly tat: number;
}

/**
 * Time is counted in whole microseconds since this epoch (not since 1970), so every TAT is an
 * integer below 2^53 for centuries and the arithmetic is exact — no float drift however long a
 * bucket runs. The emission interval `window / limit` is rounded UP to a whole microsecond and
 * the burst tolerance is `limit` intervals: a burst is exactly `limit`, and the refill at most one
 * microsecond per request slower than written (none when the interval is a whole number of µs;
 * at the highest rate lint allows, 100,000/s, the interval is exactly 10 µs). The Redis script and
 * the Durable Object use the same epoch and units.
 */
export const GCRA_EPOCH_MS = Date.UTC(2025, 0, 1);

/** The highest rate a policy may have, per second (lint refuses more; see GCRA_EPOCH_MS). */
export const MAX_RATE_PER_SECOND = 100_000;

/** A policy's rate in the algorithm's units. */
export function intervalMicros(rate: Rate): number {
  return Math.ceil((rate.windowMs * 1000) / rate.limit);
}

/** `nowMs` is a wall-clock time (ms since 1970); `storedTat` as returned earlier (µs since the epoch). */
export function gcra(storedTat: number | undefined, nowMs: number, rate: Rate): GcraResult {
  const now = Math.round((nowMs - GCRA_EPOCH_MS) * 1000);
  const interval = intervalMicros(rate);
  const tolerance = interval * rate.limit;
  const tat = storedTat === undefined || storedTat < now ? now : storedTat;
  const next = tat + interval;
  if (next - now > tolerance) {
    return {
      tat,
      decision: {
        allowed: false,
        remaining: 0,
        resetMs: (tat - now) / 1000,
        retryAfterMs: (next - now - tolerance) / 1000,
      },
    };
  }
  return {
    tat: next,
    decision: {
      allowed: true,
      remaining: rate.limit - Math.ceil((next - now) / interval),
      resetMs: (next - now) / 1000,
      retryAfterMs: 0,
    },
  };
}

/** The TAT scale of `gcra` for a wall-clock time: for expiring buckets. */
export function tatScale(nowMs: number): number {
  return Math.round((nowMs - GCRA_EPOCH_MS) * 1000);
}
