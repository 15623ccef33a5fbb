import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.js';
import { GCRA_EPOCH_MS } from '../../traffic/gcra.js';
import type { Decision, Rate, RateLimitStore } from '../../traffic/types.js';
import { redisClientClass } from './load-ioredis.js';

/**
 * The `redis` rate-limit store (docs/TRAFFIC.md "Stores"): every gateway process counts in the
 * same Redis, so a policy's limit holds across processes and machines. The checks of one turn
 * of the event loop are one EVALSHA of the GCRA below — the arithmetic of src/traffic/gcra.ts,
 * once per key — which Redis runs atomically, with Redis's own clock (TIME) so the processes'
 * clocks need not agree.
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

/**
 * The GCRA for every check of one batch (KEYS[i] with its limit ARGV[2i] and window in ms
 * ARGV[2i+1]; ARGV[1] the epoch), one TIME for the batch. Each key is read and written in
 * turn, so two checks of one bucket in a batch count twice, as two calls would. Replies four
 * integers per key: allowed (1/0), remaining, reset and retry-after in µs.
 */
const GCRA_BATCH_LUA = `
local time = redis.call('TIME')
local now = (tonumber(time[1]) - tonumber(ARGV[1])) * 1000000 + tonumber(time[2])
local out = {}
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i])
  local interval = math.ceil(tonumber(ARGV[2 * i + 1]) * 1000 / limit)
  local tolerance = interval * limit
  local tat = tonumber(redis.call('GET', KEYS[i]))
  if tat == nil or tat < now then tat = now end
  local nextTat = tat + interval
  local at = 4 * (i - 1)
  if nextTat - now > tolerance then
    out[at + 1] = 0
    out[at + 2] = 0
    out[at + 3] = tat - now
    out[at + 4] = nextTat - now - tolerance
  else
    redis.call('SET', KEYS[i], string.format('%d', nextTat), 'PX', math.ceil((nextTat - now) / 1000))
    out[at + 1] = 1
    out[at + 2] = limit - math.ceil((nextTat - now) / interval)
    out[at + 3] = nextTat - now
    out[at + 4] = 0
  end
end
return out
`;

/** Checks sent in one script call at most (the arguments of one EVALSHA stay small). */
const MAX_BATCH = 256;

interface GcraClient extends Redis {
  /** `numkeys`, the keys, then the epoch and each key's limit and window (GCRA_BATCH_LUA). */
  gatehouseGcraBatch(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
}

/** One request's check, waiting for its batch. */
interface PendingCheck {
  readonly key: string;
  readonly rate: Rate;
  readonly resolve: (decision: Decision) => void;
  readonly reject: (error: unknown) => void;
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
  /** Checks of this turn of the event loop, sent together by `#flush`. */
  #pending: PendingCheck[] = [];

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
      // The store batches its checks itself (check()): each batch is one command, written at once.
      enableAutoPipelining: false,
    });
    // No fixed key count: the batch script takes `numkeys` first.
    client.defineCommand('gatehouseGcraBatch', { lua: GCRA_BATCH_LUA });
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

  /**
   * Queued, and sent with every other check of this turn of the event loop in one script call
   * (flushed by `setImmediate`, after the I/O callbacks that parsed the turn's requests): one
   * command, one reply to parse and one script run in Redis for the whole batch, instead of one
   * each (docs/ARCHITECTURE.md "Performance devices").
   */
  check(key: string, rate: Rate): Promise<Decision> {
    if (this.#connected && this.#client.status !== 'ready') {
      return Promise.reject(new Error(`redis ${this.#client.status}`));
    }
    return new Promise<Decision>((resolve, reject) => {
      if (this.#pending.push({ key: this.#prefix + key, rate, resolve, reject }) === 1) {
        setImmediate(this.#flush);
      }
    });
  }

  readonly #flush = (): void => {
    const pending = this.#pending;
    this.#pending = [];
    for (let from = 0; from < pending.length; from += MAX_BATCH) {
      this.#send(pending.slice(from, from + MAX_BATCH));
    }
  };

  #send(batch: readonly PendingCheck[]): void {
    const args: (string | number)[] = batch.map((check) => check.key);
    args.push(EPOCH_S);
    for (const { rate } of batch) args.push(rate.limit, rate.windowMs);
    this.#client.gatehouseGcraBatch(batch.length, ...args).then(
      (reply) => {
        batch.forEach((check, i) => {
          const at = 4 * i;
          check.resolve({
            allowed: reply[at] === 1,
            remaining: reply[at + 1] as number,
            resetMs: (reply[at + 2] as number) / 1000,
            retryAfterMs: (reply[at + 3] as number) / 1000,
          });
        });
      },
      (error: unknown) => {
        for (const check of batch) check.reject(error);
      },
    );
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
