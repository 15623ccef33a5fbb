import type { RateLimitStoreConfig } from '../../config/schema.js';
import { createStoreFactory, type RateLimitStoreFactory } from '../../traffic/stores.js';
import type { Decision, Rate, RateLimitStore } from '../../traffic/types.js';
import type { WorkerEnv } from './types.js';

/**
 * The stores a Worker offers (docs/TRAFFIC.md "Stores"): `memory` (one isolate: a test aid, not
 * a limit), `durable_object` (exact across the edge) and `workers_ratelimit` (Cloudflare's
 * rate-limiting binding: approximate, counted per location). `redis` is refused: a Worker has no
 * TCP client for it.
 */
export const DEFAULT_DURABLE_OBJECT_SHARDS = 16;
export const DEFAULT_DURABLE_OBJECT_TIMEOUT_MS = 1000;

interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

interface RateLimitBindingLike {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

function isDurableObjectNamespace(value: unknown): value is DurableObjectNamespaceLike {
  const v = value as Partial<DurableObjectNamespaceLike> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.idFromName === 'function' && typeof v.get === 'function'
  );
}

function isRateLimitBinding(value: unknown): value is RateLimitBindingLike {
  const v = value as Partial<RateLimitBindingLike> | null;
  return typeof v === 'object' && v !== null && typeof v.limit === 'function';
}

export function createWorkersRateLimitStores(env: WorkerEnv, now: () => number): RateLimitStoreFactory {
  return createStoreFactory(now, (config: RateLimitStoreConfig): RateLimitStore => {
    const binding = config.binding ?? '';
    if (config.type === 'durable_object') {
      const namespace = env[binding];
      if (!isDurableObjectNamespace(namespace))
        throw new Error(
          `no Durable Object namespace is bound as "${binding}" (wrangler.toml [[durable_objects.bindings]] with class_name = "GatehouseRateLimiter")`,
        );
      return new DurableObjectRateLimitStore(namespace, config);
    }
    if (config.type === 'workers_ratelimit') {
      const limiter = env[binding];
      if (!isRateLimitBinding(limiter))
        throw new Error(`no rate-limiting binding is bound as "${binding}" (wrangler.toml [[ratelimits]])`);
      return new WorkersRateLimitStore(limiter);
    }
    throw new Error(
      `the "${config.type}" store needs a TCP connection Workers do not offer; on Workers use "durable_object" (exact) or "workers_ratelimit" (approximate)`,
    );
  });
}

/** FNV-1a: a cheap, stable spread of bucket keys over the shards. */
function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

class DurableObjectRateLimitStore implements RateLimitStore {
  readonly type = 'durable_object';
  readonly onError: 'allow' | 'deny';
  readonly #namespace: DurableObjectNamespaceLike;
  readonly #ids: unknown[];
  readonly #timeoutMs: number;

  constructor(namespace: DurableObjectNamespaceLike, config: RateLimitStoreConfig) {
    this.#namespace = namespace;
    this.onError = config.on_error ?? 'allow';
    this.#timeoutMs = config.timeout_ms ?? DEFAULT_DURABLE_OBJECT_TIMEOUT_MS;
    const shards = config.shards ?? DEFAULT_DURABLE_OBJECT_SHARDS;
    // Object ids are derived once; a stub is made per call (stubs belong to one request).
    this.#ids = Array.from({ length: shards }, (_, i) => namespace.idFromName(`gatehouse-rate-limit-${i}`));
  }

  async check(key: string, rate: Rate): Promise<Decision> {
    const id = this.#ids[shardOf(key, this.#ids.length)];
    const stub = this.#namespace.get(id);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      const response = await Promise.race([
        stub.fetch('https://gatehouse-rate-limiter/check', {
          method: 'POST',
          body: JSON.stringify({ key, limit: rate.limit, windowMs: rate.windowMs }),
        }),
        timeout,
      ]);
      if (!response.ok) throw new Error(`rate limiter object answered ${response.status}`);
      return (await response.json()) as Decision;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Cloudflare's rate-limiting binding: its limit and period (10 or 60 s) are set in wrangler.toml,
 * counted per Cloudflare location and eventually consistent — a guard against floods, not an
 * exact quota. It reports no remaining count, so responses carry RateLimit-Policy but no
 * RateLimit item for it.
 */
class WorkersRateLimitStore implements RateLimitStore {
  readonly type = 'workers_ratelimit';
  readonly onError = 'allow' as const;
  constructor(private readonly binding: RateLimitBindingLike) {}

  async check(key: string, rate: Rate): Promise<Decision> {
    const { success } = await this.binding.limit({ key });
    return success
      ? { allowed: true, remaining: undefined, resetMs: 0, retryAfterMs: 0 }
      : { allowed: false, remaining: undefined, resetMs: rate.windowMs, retryAfterMs: rate.windowMs };
  }
}
