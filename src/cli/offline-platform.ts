import { createNodePlatform } from '../adapters/node/platform.js';
import { GatewayError } from '../errors/gateway-error.js';
import { silentLogger } from '../observability/logger.js';
import type { Platform } from '../platform.js';

/**
 * A platform for commands that compile a config without serving it (validate, routes):
 * nothing is ever sent upstream.
 */
export function offlinePlatform(env: Readonly<Record<string, unknown>>): Platform {
  return createNodePlatform({
    env,
    logger: silentLogger,
    upstream: () => Promise.reject(new GatewayError('ERR_UPSTREAM_UNAVAILABLE')),
  });
}
