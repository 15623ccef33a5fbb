import { gcra, tatScale } from './gcra.js';
import type { Decision, Rate, RateLimitStore } from './types.js';

/**
 * The `memory` store: one process's buckets in a Map of bucket key → TAT (docs/TRAFFIC.md
 * "Stores"). O(1) per request: one lookup, and on admission one delete and one insert, which
 * moves the bucket to the end of the Map's insertion order — the order is "least recently
 * admitted first". Memory is bounded two ways:
 * - idle buckets expire: a bucket whose TAT has passed is equal to a fresh one, so every 16th
 *   admission also looks at up to 32 of the least recently admitted buckets and drops those that
 *   have expired (amortized O(1), and no iterator on most requests);
 * - at most `maxKeys` buckets: past it, the least recently admitted bucket is evicted. An
 *   evicted bucket starts afresh, so under a flood of distinct keys (spoofed headers, many
 *   addresses) the limit errs towards admitting, never towards refusing a legitimate client.
 */
export const DEFAULT_MAX_KEYS = 100_000;

export class MemoryRateLimitStore implements RateLimitStore {
  readonly type = 'memory';
  readonly onError = 'allow' as const;
  readonly #buckets = new Map<string, number>();
  readonly #maxKeys: number;
  readonly #now: () => number;
  #admissions = 0;

  constructor(options: { readonly maxKeys?: number; readonly now: () => number }) {
    this.#maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    this.#now = options.now;
  }

  get size(): number {
    return this.#buckets.size;
  }

  check(key: string, rate: Rate): Decision {
    const now = this.#now();
    const buckets = this.#buckets;
    const result = gcra(buckets.get(key), now, rate);
    if (result.decision.allowed) {
      buckets.delete(key);
      buckets.set(key, result.tat);
      if (buckets.size > this.#maxKeys) buckets.delete(buckets.keys().next().value as string);
      if ((++this.#admissions & 15) === 0) this.#expireOldest(tatScale(now));
    }
    return result.decision;
  }

  /** `now` on the TAT scale (gcra.ts). */
  #expireOldest(now: number): void {
    const buckets = this.#buckets;
    let looked = 0;
    for (const [key, tat] of buckets) {
      if (tat > now || ++looked > 32) break;
      buckets.delete(key);
    }
  }
}
