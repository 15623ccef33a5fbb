import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.js';
import { GCRA_EPOCH_MS } from '../../traffic/gcra.js';
import type { Decision, Rate, RateLimitStore } from '../../traffic/types.js';
import { redisClientClass } from './load-ioredis.js';

/**
 * The `redis` rate-limit store (docs/TRAFFIC.md "Stores"): every gateway process counts in the
 * same Redis, so a policy's limit holds across processes and machines. Each check is one
 * EVALSHA of the GCRA below — the arithmetic of src/traffic/gcra.ts — which Redis runs
 * atomically, with Redis's own clock (TIME) so the processes' clocks need not agree.
 *
 * Failure behaviour: a check never waits longer than `timeout_ms` (ioredis `commandTimeout`).
 * Until the first connection is made, checks wait for it (within that timeout); once it was
 * made, a check while the connection is down fails at once rather than queue up, and ioredis
 * reconnects by itself with a capped backoff. What a failed check means is the
 * store's `on_error`: `allow` (default; logged and counted by the check step) or `deny` (503).
 */
export const DEFAULT_REDIS_TIMEOUT_MS = 50;
export const DEFAULT_REDIS_PREFIX = 'gatehouse:rl:';

/** The GCRA epoch in whole seconds (src/traffic/gcra.ts), so the script's subtraction is exact. */
const EPOCH_S = GCRA_EPOCH_MS / 1000;

const GCRA_LUA = `
local limit = tonumber(ARGV[1])
local window_us = tonumber(ARGV[2]) * 1000
local time = redis.call('TIME')
local now = (tonumber(time[1]) - tonumber(ARGV[3])) * 1000000 + tonumber(time[2])
local interval = math.ceil(window_us / limit)
local tolerance = interval * limit
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local nextTat = tat + interval
if nextTat - now > tolerance then
  return {0, 0, tat - now, nextTat - now - tolerance}
end
redis.call('SET', KEYS[1], string.format('%d', nextTat), 'PX', math.ceil((nextTat - now) / 1000))
return {1, limit - math.ceil((nextTat - now) / interval), nextTat - now, 0}
`;

/** allowed (1/0), remaining, reset and retry-after in µs (integers: Lua numbers become Redis integers). */
type GcraReply = [number, number, number, number];

interface GcraClient extends Redis {
  gatehouseGcra(key: string, limit: number, windowMs: number, epochS: number): Promise<GcraReply>;
}

export interface RedisStoreOptions {
  readonly url: string;
  readonly timeoutMs?: number;
  readonly onError?: 'allow' | 'deny';
  readonly prefix?: string;
  readonly logger: Logger;
}

export class RedisRateLimitStore implements RateLimitStore {
  readonly type = 'redis';
  readonly onError: 'allow' | 'deny';
  readonly #client: GcraClient;
  readonly #prefix: string;
  /** Whether the first connection was made: from then on, a lost connection fails checks at once. */
  #connected = false;

  constructor(options: RedisStoreOptions) {
    this.onError = options.onError ?? 'allow';
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    const RedisClient = redisClientClass();
    const client = new RedisClient(options.url, {
      commandTimeout: options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS,
      // Queued only until the first connection (bounded by commandTimeout); see check().
      enableOfflineQueue: true,
      maxRetriesPerRequest: 0,
      // Reconnect for ever, at most every 2 s: the gateway keeps serving under on_error meanwhile.
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
      connectionName: 'gatehouse-rate-limit',
      // Checks of concurrent requests go out in one write (one syscall, one round trip).
      enableAutoPipelining: true,
    });
    client.defineCommand('gatehouseGcra', { numberOfKeys: 1, lua: GCRA_LUA });
    this.#client = client as GcraClient;
    // One line per outage and one per recovery, not one per reconnect attempt.
    let down = false;
    client.once('ready', () => {
      this.#connected = true;
    });
    client.on('error', (error: Error) => {
      if (down) return;
      down = true;
      options.logger.warn('rate limit store: redis unavailable', { error: error.message });
    });
    client.on('ready', () => {
      if (!down) return;
      down = false;
      options.logger.info('rate limit store: redis reconnected', {});
    });
  }

  async check(key: string, rate: Rate): Promise<Decision> {
    if (this.#connected && this.#client.status !== 'ready') throw new Error(`redis ${this.#client.status}`);
    const [allowed, remaining, resetUs, retryAfterUs] = await this.#client.gatehouseGcra(
      this.#prefix + key,
      rate.limit,
      rate.windowMs,
      EPOCH_S,
    );
    return {
      allowed: allowed === 1,
      remaining,
      resetMs: resetUs / 1000,
      retryAfterMs: retryAfterUs / 1000,
    };
  }

  /** A PING within `timeout_ms`; while the connection is down, not ready at once (with its state). */
  async probe(): Promise<{ ready: boolean; detail: string }> {
    if (this.#client.status !== 'ready') return { ready: false, detail: `redis ${this.#client.status}` };
    try {
      await this.#client.ping();
      return { ready: true, detail: 'redis' };
    } catch (error) {
      return { ready: false, detail: `redis: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async close(): Promise<void> {
    await this.#client.quit().catch(() => this.#client.disconnect());
  }
}
