import type { Logger } from '../../observability/logger.js';
import type { Telemetry } from '../../observability/telemetry.js';
import { traceControlPlaneFetch } from '../../observability/tracing/upstream.js';
import type { Platform, UpstreamClient } from '../../platform.js';
import { createCacheApiStore } from './cache-api-store.js';
import { createWorkersRateLimitStores } from './rate-limit-stores.js';
import type { WorkerEnv } from './types.js';
import { createFetchUpgrader } from './websocket-upstream.js';

/**
 * The Workers host. `env` is the Worker's env: vars and secrets resolve `$env`/`$secret`
 * references, and bindings (service bindings, KV) are found there by name. A service binding is
 * an RPC stub to another Worker's WorkerEntrypoint: `env.HOOKS.fn(request, envJson, contextJson)`
 * is an RPC call (the request and plain JSON values cross; a Response comes back as one).
 *
 * The platform lives as long as the isolate's compiled config, but `waitUntil` belongs to one
 * request's ExecutionContext; `waitUntil` here hands the promise to whichever request the
 * isolate is serving (see runtime.ts), which keeps it alive past that response.
 */
export function createWorkersPlatform(options: {
  env: WorkerEnv;
  logger: Logger;
  upstream: UpstreamClient;
  waitUntil(promise: Promise<unknown>): void;
  telemetry?: Telemetry | undefined;
  selfOrigin(): string | undefined;
}): Platform {
  const plainFetch = globalThis.fetch.bind(globalThis);
  const tracing = options.telemetry?.tracing;
  return {
    upstream: options.upstream,
    upgrade: createFetchUpgrader(),
    fetch: tracing ? traceControlPlaneFetch(plainFetch, tracing) : plainFetch,
    env: options.env,
    logger: options.logger,
    now: () => Date.now(),
    waitUntil: options.waitUntil,
    bindings: options.env,
    telemetry: options.telemetry,
    rateLimitStores: createWorkersRateLimitStores(options.env, () => Date.now()),
    selfOrigin: options.selfOrigin,
    requestDrivenHealthChecks: true,
    responseStore: (maxBytes) =>
      createCacheApiStore({
        caches,
        maxBytes,
        now: () => Date.now(),
        waitUntil: options.waitUntil,
        logger: options.logger,
        origin: options.selfOrigin,
      }),
  };
}
