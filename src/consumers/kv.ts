import type { Logger } from '../observability/logger.js';
import type { ConsumerLookup } from '../auth/authorizers/api-key.js';
import { keyHash } from './hash.js';
import { toConsumer } from './compile.js';
import type { Consumer } from './types.js';

/**
 * Consumers kept in a Workers KV namespace (`api_key` authorizer `consumers_kv: "BINDING"`), for
 * key sets too large or too changeable for the config (docs/TRAFFIC.md "Consumers in KV").
 * Layout: one KV entry per key, named by the key's hash, holding the consumer as JSON:
 *
 *   sha256:<64 hex>  →  {"name": "acme", "rate_limit": "gold", "metadata": {"plan": "gold"}}
 *
 * Plain keys are never stored. Answers (found or not) are cached in the isolate for `ttlMs`
 * (KV itself is eventually consistent, up to 60 s), at most `maxEntries` of them.
 */
export interface KvTextReader {
  get(key: string, type: 'text'): Promise<string | null>;
}

export function isKvTextReader(value: unknown): value is KvTextReader {
  return (
    typeof value === 'object' && value !== null && typeof (value as { get?: unknown }).get === 'function'
  );
}

export interface KvConsumerOptions {
  readonly knownPolicies: ReadonlySet<string>;
  readonly logger: Logger;
  readonly now: () => number;
  readonly ttlMs?: number;
  readonly maxEntries?: number;
}

export function createKvConsumerLookup(kv: KvTextReader, options: KvConsumerOptions): ConsumerLookup {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { consumer: Consumer | undefined; expires: number }>();

  const parse = (hash: string, text: string | null): Consumer | undefined => {
    if (text === null) return undefined;
    try {
      const value = JSON.parse(text) as { name?: unknown; rate_limit?: unknown; metadata?: unknown };
      const plan =
        value.rate_limit === undefined
          ? []
          : Array.isArray(value.rate_limit)
            ? value.rate_limit
            : [value.rate_limit];
      const metadata = value.metadata ?? {};
      if (
        typeof value.name !== 'string' ||
        value.name === '' ||
        !plan.every((p): p is string => typeof p === 'string' && options.knownPolicies.has(p)) ||
        typeof metadata !== 'object' ||
        metadata === null ||
        Array.isArray(metadata)
      ) {
        throw new Error(
          'expected {"name": string, "rate_limit"?: known policy name(s), "metadata"?: object}',
        );
      }
      return toConsumer(value.name, {
        rate_limit: plan as string[],
        metadata: metadata as Record<string, string | number | boolean>,
      });
    } catch (error) {
      // The entry is refused (the key is invalid) rather than served half-understood.
      options.logger.error('consumer entry in KV refused', { entry: hash, error: String(error) });
      return undefined;
    }
  };

  return async (key) => {
    const hash = keyHash(key);
    const now = options.now();
    const cached = cache.get(hash);
    if (cached !== undefined && cached.expires > now) return cached.consumer;
    const consumer = parse(hash, await kv.get(hash, 'text'));
    cache.delete(hash);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    cache.set(hash, { consumer, expires: now + ttlMs });
    return consumer;
  };
}
