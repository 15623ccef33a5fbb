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

/** Floating-point slack: `limit` emission intervals must fit the window even when not exact. */
const EPSILON_MS = 1e-6;

export function gcra(storedTat: number | undefined, now: number, rate: Rate): GcraResult {
  const interval = rate.windowMs / rate.limit;
  const tat = storedTat === undefined || storedTat < now ? now : storedTat;
  const next = tat + interval;
  if (next - now > rate.windowMs + EPSILON_MS) {
    return {
      tat,
      decision: {
        allowed: false,
        remaining: 0,
        resetMs: tat - now,
        retryAfterMs: next - now - rate.windowMs,
      },
    };
  }
  return {
    tat: next,
    decision: {
      allowed: true,
      // Units in use, rounded up with a relative slack so float error never costs a unit.
      remaining: Math.max(0, rate.limit - Math.ceil((next - now) / interval - 1e-9)),
      resetMs: next - now,
      retryAfterMs: 0,
    },
  };
}
