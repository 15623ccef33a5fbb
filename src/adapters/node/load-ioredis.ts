import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

/**
 * ioredis, loaded the first time a config asks for Redis (a `redis` rate-limit store or session
 * store), at compile time, never on a request. A config without Redis never loads it: it is
 * about 20 MiB of resident memory (docs/ARCHITECTURE.md "Memory"). ioredis is CommonJS, so
 * `require` loads it synchronously and the stores keep their synchronous constructors.
 */
let loaded: typeof Redis | undefined;

export function redisClientClass(): typeof Redis {
  loaded ??= (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis;
  return loaded;
}
