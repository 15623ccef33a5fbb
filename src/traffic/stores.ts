import type { RateLimitStoreConfig } from '../config/schema.js';
import { MemoryRateLimitStore } from './memory-store.js';
import type { RateLimitStore } from './types.js';

/**
 * The rate-limit stores a runtime offers (docs/TRAFFIC.md "Stores"). Each adapter has one
 * (Node: memory, redis; Workers: memory, durable_object, workers_ratelimit). `open` is called at
 * every compile, reloads included, and returns the same store for the same settings, so counts
 * survive a config reload and a Redis connection is opened once.
 */
export interface RateLimitStoreFactory {
  /** The store for these settings; throws an Error saying why this runtime cannot offer it. */
  open(config: RateLimitStoreConfig): RateLimitStore;
  /** Closes every store opened (connections, timers). */
  close(): Promise<void>;
}

/** The store every runtime has; for the others, `unavailable` says what this runtime offers. */
export function createStoreFactory(
  now: () => number,
  openOther: (config: RateLimitStoreConfig) => RateLimitStore,
): RateLimitStoreFactory {
  const opened = new Map<string, RateLimitStore>();
  return {
    open(config) {
      const id = JSON.stringify(config);
      let store = opened.get(id);
      if (store === undefined) {
        store =
          config.type === 'memory'
            ? new MemoryRateLimitStore({
                now,
                ...(config.max_keys === undefined ? {} : { maxKeys: config.max_keys }),
              })
            : openOther(config);
        opened.set(id, store);
      }
      return store;
    },
    async close() {
      const stores = [...opened.values()];
      opened.clear();
      await Promise.all(stores.map((store) => store.close?.()));
    },
  };
}

/** Without an adapter's factory (tests, embedding): the memory store only. */
export function memoryOnlyStores(now: () => number): RateLimitStoreFactory {
  return createStoreFactory(now, (config) => {
    throw new Error(`the "${config.type}" store is not available here; use "memory"`);
  });
}
