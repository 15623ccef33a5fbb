import type { Logger } from '../../observability/logger.js';
import type { Telemetry } from '../../observability/telemetry.js';
import { traceControlPlaneFetch } from '../../observability/tracing/upstream.js';
import type { Platform, UpstreamClient } from '../../platform.js';

/** The Node host: process env, Date.now, undici upstream client, no waitUntil needed. */
export function createNodePlatform(options: {
  env: Readonly<Record<string, unknown>>;
  logger: Logger;
  upstream: UpstreamClient;
  bindings?: Readonly<Record<string, unknown>>;
  telemetry?: Telemetry;
  selfOrigin?: () => string | undefined;
}): Platform {
  const plainFetch = globalThis.fetch.bind(globalThis);
  const tracing = options.telemetry?.tracing;
  return {
    upstream: options.upstream,
    fetch: tracing ? traceControlPlaneFetch(plainFetch, tracing) : plainFetch,
    env: options.env,
    logger: options.logger,
    now: () => Date.now(),
    waitUntil: (promise) => {
      // Node keeps running after the response; only make sure a failure is not unhandled.
      promise.catch((error: unknown) =>
        options.logger.warn('background task failed', { error: String(error) }),
      );
    },
    bindings: options.bindings ?? {},
    telemetry: options.telemetry,
    ...(options.selfOrigin === undefined ? {} : { selfOrigin: options.selfOrigin }),
  };
}
