import type { Redis } from 'ioredis';
import type { SessionStore } from '../../session/server-store.js';
import { redisClientClass } from './load-ioredis.js';

/**
 * Browser sessions on a Redis server (`session.store: {"type": "redis", "url": …}`, docs/FLOWS.md
 * "Browser sessions"), through the same client as the rate-limit store (ioredis): one
 * connection per URL in the process, GET / SET … EX / DEL, each command bounded by
 * COMMAND_TIMEOUT_MS. A failed command fails the request (500): a session is never half-written.
 * The refresh lease (docs/FLOWS.md "Refresh across processes") is `SET key token NX PX ttl` —
 * atomic, so exactly one process of all those sharing the server refreshes a session — and is
 * given back by a compare-and-delete script, so a lease that expired and was taken by another
 * process is never deleted by its first holder.
 */
const COMMAND_TIMEOUT_MS = 2000;
const RELEASE_IF_HELD =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** The session stores of one running gateway: one connection per URL, all closed with it. */
export interface RedisSessionStores {
  open(url: string): SessionStore;
  /** Closes every connection (graceful shutdown: a process with one open would not exit). */
  close(): void;
}

export function createRedisSessionStores(): RedisSessionStores {
  const clients = new Map<string, { readonly store: SessionStore; readonly client: Redis }>();
  return {
    open(url) {
      const known = clients.get(url);
      if (known) return known.store;
      const RedisClient = redisClientClass();
      const client = new RedisClient(url, {
        commandTimeout: COMMAND_TIMEOUT_MS,
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
        connectionName: 'gatehouse-sessions',
        lazyConnect: true,
      });
      // Connection errors surface as failed commands; the client reconnects by itself.
      client.on('error', () => undefined);
      const store = redisSessionStore(client);
      clients.set(url, { store, client });
      return store;
    },
    close() {
      for (const { client } of clients.values()) client.disconnect();
      clients.clear();
    },
  };
}

function redisSessionStore(client: Redis): SessionStore {
  return {
    get: (key) => client.get(key),
    async put(key, value, ttlSeconds) {
      await client.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    },
    async delete(key) {
      await client.del(key);
    },
    async acquireLease(key, token, ttlMs) {
      return (await client.set(key, token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    },
    async releaseLease(key, token) {
      await client.eval(RELEASE_IF_HELD, 1, key, token);
    },
    atomicLeases: true,
  };
}
