import type { ConsumerConfig } from '../config/schema.js';
import { configError, pointerToken, type ConfigProblem } from '../config/problems.js';
import { digestsEqual, keyDigestHex, KEY_HASH_PREFIX, type KeyDigester } from './hash.js';
import type { Consumer } from './types.js';

/**
 * `consumers` compiled once (docs/TRAFFIC.md "API keys"): every key, plain (`keys`, typically
 * `$secret.NAME`) or hashed (`key_hashes`), becomes its SHA-256 digest, and plain keys are
 * dropped right here — the compiled gateway holds digests only, and no log line or problem
 * message ever quotes a key. A presented key is hashed and found by its digest; the final
 * comparison is constant-time. Looking up by digest leaks nothing useful through timing: an
 * attacker who learned digest prefixes would still need a preimage.
 */
export interface ConsumerIndex {
  /** The consumer a presented key belongs to, or undefined. */
  find(key: string): Consumer | undefined;
  /** The same, for a digest computed elsewhere (KV lookups). */
  findDigest(hex: string): Consumer | undefined;
  readonly size: number;
}

interface Entry {
  /** The key's SHA-256, lower-case hex. */
  readonly hex: string;
  readonly consumer: Consumer;
}

export function toConsumer(name: string, def: Pick<ConsumerConfig, 'rate_limit' | 'metadata'>): Consumer {
  const rateLimit =
    def.rate_limit === undefined ? [] : Array.isArray(def.rate_limit) ? def.rate_limit : [def.rate_limit];
  return { name, metadata: { ...def.metadata }, rateLimit };
}

/** Each key's digest with the pointer of its config entry (for lint and compile alike). */
function digestsOf(
  consumers: Readonly<Record<string, ConsumerConfig>>,
  digest: KeyDigester = keyDigestHex,
): { name: string; pointer: string; hex: string }[] {
  const out: { name: string; pointer: string; hex: string }[] = [];
  for (const [name, def] of Object.entries(consumers)) {
    const at = `/consumers/${pointerToken(name)}`;
    (def.keys ?? []).forEach((key, i) => out.push({ name, pointer: `${at}/keys/${i}`, hex: digest(key) }));
    (def.key_hashes ?? []).forEach((hash, i) =>
      out.push({
        name,
        pointer: `${at}/key_hashes/${i}`,
        hex: hash.slice(KEY_HASH_PREFIX.length).toLowerCase(),
      }),
    );
  }
  return out;
}

/** Consumers without keys, and one key given to two consumers (or twice), never quoting a key. */
export function lintConsumers(
  consumers: Readonly<Record<string, ConsumerConfig>> | undefined,
): ConfigProblem[] {
  if (consumers === undefined) return [];
  const problems: ConfigProblem[] = [];
  for (const [name, def] of Object.entries(consumers)) {
    if ((def.keys?.length ?? 0) + (def.key_hashes?.length ?? 0) === 0) {
      problems.push(
        configError(
          `/consumers/${pointerToken(name)}`,
          'a consumer needs "keys" or "key_hashes" (no request could ever be it)',
        ),
      );
    }
  }
  const seen = new Map<string, string>();
  for (const { name, pointer, hex } of digestsOf(consumers)) {
    const first = seen.get(hex);
    if (first !== undefined)
      problems.push(configError(pointer, `this key is also ${first}; a key must identify one consumer`));
    else seen.set(hex, `${pointer} (consumer "${name}")`);
  }
  return problems;
}

/**
 * `digest` is the runtime's synchronous SHA-256 when it has a native one (Node), else the
 * portable one (hash.ts); both give the same hex.
 */
export function compileConsumers(
  consumers: Readonly<Record<string, ConsumerConfig>> | undefined,
  digest: KeyDigester = keyDigestHex,
): ConsumerIndex {
  const byDigest = new Map<string, Entry>();
  const compiled = new Map<string, Consumer>();
  for (const { name, hex } of digestsOf(consumers ?? {}, digest)) {
    let consumer = compiled.get(name);
    if (consumer === undefined) {
      consumer = toConsumer(name, (consumers ?? {})[name] as ConsumerConfig);
      compiled.set(name, consumer);
    }
    byDigest.set(hex, { hex, consumer });
  }
  const findDigest = (presented: string): Consumer | undefined => {
    const entry = byDigest.get(presented);
    // Found by digest; the digests are then compared in full, in constant time.
    return entry !== undefined && digestsEqual(entry.hex, presented) ? entry.consumer : undefined;
  };
  return {
    find: (key) => findDigest(digest(key)),
    findDigest,
    size: byDigest.size,
  };
}
