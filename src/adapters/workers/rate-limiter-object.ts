import { gcra, tatScale } from '../../traffic/gcra.js';
import type { Decision } from '../../traffic/types.js';

/**
 * The Durable Object behind the `durable_object` rate-limit store (docs/TRAFFIC.md "Stores").
 * The Worker exports this class (index.ts) and wrangler.toml binds it (`RATE_LIMITER`). Buckets
 * are sharded over objects by key hash (durable-object-store.ts); inside one object every check
 * runs one at a time, so the count is exact for every Worker instance at every location.
 *
 * Each bucket is its GCRA time (one number) kept in memory and written to the object's storage,
 * so a daily quota survives the object being evicted while idle. An alarm deletes expired
 * buckets from storage once an hour while there are any.
 */
interface DurableObjectStorageLike {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list<T>(options?: { limit?: number; startAfter?: string }): Promise<Map<string, T>>;
  getAlarm(): Promise<number | null>;
  setAlarm(time: number): Promise<void>;
}

interface DurableObjectStateLike {
  readonly storage: DurableObjectStorageLike;
}

/** The check request body the store sends. */
export interface RateLimitCheck {
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
}

const SWEEP_EVERY_MS = 3_600_000;
const MAX_BUCKETS_IN_MEMORY = 50_000;

export class GatehouseRateLimiter {
  readonly #storage: DurableObjectStorageLike;
  readonly #buckets = new Map<string, number>();
  /** Whether a sweep alarm is known to be set (asked of storage once per object lifetime). */
  #alarmSet = false;

  constructor(state: DurableObjectStateLike, _env: unknown) {
    this.#storage = state.storage;
  }

  async fetch(request: Request): Promise<Response> {
    const check = (await request.json()) as RateLimitCheck;
    if (
      typeof check.key !== 'string' ||
      !Number.isInteger(check.limit) ||
      check.limit < 1 ||
      typeof check.windowMs !== 'number' ||
      check.windowMs <= 0
    ) {
      return new Response('bad check', { status: 400 });
    }
    return Response.json(await this.check(check));
  }

  async check({ key, limit, windowMs }: RateLimitCheck): Promise<Decision> {
    let tat = this.#buckets.get(key);
    if (tat === undefined) tat = await this.#storage.get<number>(key);
    // Storage reads are serialized by the object's input gate, so no other check ran meanwhile.
    const now = Date.now();
    const result = gcra(tat, now, { limit, windowMs });
    if (result.decision.allowed) {
      this.#buckets.delete(key);
      this.#buckets.set(key, result.tat);
      if (this.#buckets.size > MAX_BUCKETS_IN_MEMORY)
        this.#buckets.delete(this.#buckets.keys().next().value as string);
      // Not awaited: the output gate holds the response until the write is durable.
      void this.#storage.put(key, result.tat);
      if (!this.#alarmSet) {
        if ((await this.#storage.getAlarm()) === null) await this.#storage.setAlarm(now + SWEEP_EVERY_MS);
        this.#alarmSet = true;
      }
    }
    return result.decision;
  }

  /** Deletes expired buckets; comes back while any remain. */
  async alarm(): Promise<void> {
    // TATs are on the algorithm's own scale (src/traffic/gcra.ts).
    const now = tatScale(Date.now());
    let remaining = 0;
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.#storage.list<number>({ limit: 1000, ...(startAfter ? { startAfter } : {}) });
      if (page.size === 0) break;
      const expired: string[] = [];
      for (const [key, tat] of page) {
        if (tat <= now) expired.push(key);
        else remaining++;
        startAfter = key;
      }
      if (expired.length > 0) {
        await this.#storage.delete(expired);
        for (const key of expired) this.#buckets.delete(key);
      }
    }
    if (remaining > 0) await this.#storage.setAlarm(Date.now() + SWEEP_EVERY_MS);
    else this.#alarmSet = false;
  }
}
