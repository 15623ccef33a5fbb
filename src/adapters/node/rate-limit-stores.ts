import type { RateLimitStoreConfig } from '../../config/schema.js';
import type { Logger } from '../../observability/logger.js';
import { createStoreFactory, type RateLimitStoreFactory } from '../../traffic/stores.js';
import type { RateLimitStore } from '../../traffic/types.js';
import { RedisRateLimitStore } from './redis-store.js';

/**
 * The stores a Node process offers: `memory` and `redis` (docs/TRAFFIC.md "Stores"). The
 * Workers stores are refused here, so `gatehouse start`/`validate` say so before anything serves.
 * `connect: false` (validate, routes) checks the settings without opening a connection.
 */
export function createNodeRateLimitStores(options: {
  readonly logger: Logger;
  readonly now: () => number;
  readonly connect: boolean;
}): RateLimitStoreFactory {
  return createStoreFactory(options.now, (config: RateLimitStoreConfig): RateLimitStore => {
    if (config.type !== 'redis') {
      throw new Error(
        `the "${config.type}" store exists on Cloudflare Workers only; on Node use "memory" or "redis"`,
      );
    }
    const settings = {
      url: config.url ?? '',
      logger: options.logger,
      ...(config.timeout_ms === undefined ? {} : { timeoutMs: config.timeout_ms }),
      ...(config.on_error === undefined ? {} : { onError: config.on_error }),
      ...(config.prefix === undefined ? {} : { prefix: config.prefix }),
    };
    if (!/^rediss?:\/\//.test(settings.url)) throw new Error('"url" must be a redis:// or rediss:// URL');
    if (!options.connect)
      return {
        type: 'redis',
        onError: settings.onError ?? 'allow',
        check: () => Promise.reject(new Error('offline')),
      };
    return new RedisRateLimitStore(settings);
  });
}
