import type { Redis } from 'ioredis';
import type { SessionStore } from '../../session/server-store.js';
import { redisClientClass } from './load-ioredis.js';

/**
 * Browser sessions on a Redis server (`session.store: {"type": "redis", "url": …}`, docs/FLOWS.md
 * "Browser sessions"), through the same client as the rate-limit store (ioredis): one
 * connection per URL in the process, GET / SET … EX / DEL, each command bounded by
 * COMMAND_TIMEOUT_MS. A failed command fails the request (500): a session is never half-written.
 */
const COMMAND_TIMEOUT_MS = 2000;

const clients = new Map<string, { readonly store: SessionStore; readonly client: Redis }>();

/** One store (one connection) per URL. */
export function redisSessionStore(url: string): SessionStore {
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
  const store: SessionStore = {
    get: (key) => client.get(key),
    async put(key, value, ttlSeconds) {
      await client.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    },
    async delete(key) {
      await client.del(key);
    },
  };
  clients.set(url, { store, client });
  return store;
}

/** Closes every session-store connection (graceful shutdown, tests). */
export function closeRedisSessionStores(): void {
  for (const { client } of clients.values()) client.disconnect();
  clients.clear();
}
