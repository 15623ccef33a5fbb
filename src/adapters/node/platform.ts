import { hash } from 'node:crypto';
import type { Logger } from '../../observability/logger.js';
import type { Telemetry } from '../../observability/telemetry.js';
import { traceControlPlaneFetch } from '../../observability/tracing/upstream.js';
import type { Platform, UpstreamClient, UpstreamUpgrader } from '../../platform.js';
import { createRedisSessionStores } from './redis-session-store.js';
import { createNodeRateLimitStores } from './rate-limit-stores.js';

/** The Node host: process env, Date.now, undici upstream client, no waitUntil needed. */
export function createNodePlatform(options: {
  env: Readonly<Record<string, unknown>>;
  logger: Logger;
  upstream: UpstreamClient;
  upgrade?: UpstreamUpgrader;
  bindings?: Readonly<Record<string, unknown>>;
  telemetry?: Telemetry;
  /** Open Redis connections for a `redis` rate-limit store (false for validate and routes). */
  connectStores?: boolean;
  selfOrigin?: () => string | undefined;
}): Platform & { readonly closeSessionStores: () => void } {
  const sessionStores = createRedisSessionStores();
  const plainFetch = globalThis.fetch.bind(globalThis);
  const tracing = options.telemetry?.tracing;
  const now = (): number => Date.now();
  return {
    upstream: options.upstream,
    ...(options.upgrade ? { upgrade: options.upgrade } : {}),
    fetch: tracing ? traceControlPlaneFetch(plainFetch, tracing) : plainFetch,
    env: options.env,
    logger: options.logger,
    now,
    waitUntil: (promise) => {
      // Node keeps running after the response; only make sure a failure is not unhandled.
      promise.catch((error: unknown) =>
        options.logger.warn('background task failed', { error: String(error) }),
      );
    },
    bindings: options.bindings ?? {},
    telemetry: options.telemetry,
    redisStore: (url) => sessionStores.open(url),
    closeSessionStores: () => sessionStores.close(),
    // Native one-shot hashing (Node ≥ 20.12): several times faster than the portable SHA-256.
    sha256Hex: (text) => hash('sha256', text, 'hex'),
    rateLimitStores: createNodeRateLimitStores({
      logger: options.logger,
      now,
      connect: options.connectStores ?? false,
    }),
    ...(options.selfOrigin === undefined ? {} : { selfOrigin: options.selfOrigin }),
  };
}
