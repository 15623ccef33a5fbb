import type { Logger } from '../../observability/logger.js';
import type { Platform, UpstreamClient, UpstreamUpgrader } from '../../platform.js';

/** The Node host: process env, Date.now, undici upstream client, no waitUntil needed. */
export function createNodePlatform(options: {
  env: Readonly<Record<string, unknown>>;
  logger: Logger;
  upstream: UpstreamClient;
  upgrade?: UpstreamUpgrader;
  bindings?: Readonly<Record<string, unknown>>;
  selfOrigin?: () => string | undefined;
}): Platform {
  return {
    upstream: options.upstream,
    ...(options.upgrade ? { upgrade: options.upgrade } : {}),
    fetch: globalThis.fetch.bind(globalThis),
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
    ...(options.selfOrigin === undefined ? {} : { selfOrigin: options.selfOrigin }),
  };
}
