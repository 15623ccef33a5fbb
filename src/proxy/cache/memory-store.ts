import type { HeaderReader } from '../client-address.js';

/** One stored response: a complete body and what is needed to serve and revalidate it. */
export interface CachedResponse {
  readonly status: number;
  /** Lower-case names, hop-by-hop and `age` already removed. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Text when the bytes are valid UTF-8 (the Node adapter writes a string body on a fast path,
   * so a hit costs what a static route costs), else the bytes.
   */
  readonly body: string | Uint8Array<ArrayBuffer>;
  /** The body's size in bytes, for the store's bound. */
  readonly bodyBytes: number;
  /** When it was received (ms), less the `Age` the upstream reported. */
  readonly storedAt: number;
  readonly lifetimeMs: number;
  /** After the lifetime: how long it may still be served while revalidating (RFC 5861 §3). */
  readonly staleWhileRevalidateMs: number;
  /** After the lifetime: how long it may still be served when the upstream fails (RFC 5861 §4). */
  readonly staleIfErrorMs: number;
  /** Request header values the response varies on (its `Vary` and the route's `vary`). */
  readonly varyValues: readonly (string | null)[];
  readonly varyNames: readonly string[];
}

/**
 * Where a route's cache keeps its answers: the memory store below, or on Workers the Cache API
 * behind one (src/adapters/workers/cache-api-store.ts). `find` is synchronous when the answer is
 * in memory, so a fresh hit costs no promise.
 */
export interface ResponseStore {
  /** The largest body kept; a larger one streams through unstored. */
  readonly maxEntryBytes: number;
  /** The variant of `key` whose `Vary`ed request headers match `headers`. */
  find(key: string, headers: HeaderReader): CachedResponse | undefined | Promise<CachedResponse | undefined>;
  put(key: string, entry: CachedResponse): void | Promise<void>;
}

/** The variant whose vary values are the request's. */
export function findVariant(
  variants: readonly CachedResponse[] | undefined,
  headers: HeaderReader,
): CachedResponse | undefined {
  if (variants === undefined) return undefined;
  // Plain loops: a hit runs this per request, and the usual entry varies on nothing.
  for (const variant of variants) if (matchesVary(variant, headers)) return variant;
  return undefined;
}

function matchesVary(variant: CachedResponse, headers: HeaderReader): boolean {
  const names = variant.varyNames;
  for (let i = 0; i < names.length; i++)
    if (headers.get(names[i] as string) !== variant.varyValues[i]) return false;
  return true;
}

/**
 * A memory store bounded in bytes (docs/PROTOCOLS.md "Response caching"): least recently used
 * entries leave first when a new one would pass `maxBytes`. One primary key may hold several
 * variants (one per combination of `Vary`ed request header values). Runtime-neutral; on Workers
 * each isolate has its own.
 */
export class MemoryStore implements ResponseStore {
  private readonly entries = new Map<string, CachedResponse[]>();
  private bytes = 0;
  /** The key last moved to the end of `entries`. */
  private newest: string | undefined;
  readonly maxEntryBytes: number;

  constructor(readonly maxBytes: number) {
    this.maxEntryBytes = Math.floor(maxBytes / 4);
  }

  find(key: string, headers: HeaderReader): CachedResponse | undefined {
    return findVariant(this.get(key), headers);
  }

  /** The variants of `key`, most recently used first; marks the key as recently used. */
  get(key: string): readonly CachedResponse[] | undefined {
    const variants = this.entries.get(key);
    if (variants === undefined) return undefined;
    // Moved to the end of the Map's order (the most recent), unless it is there already: a
    // key hit over and over costs one lookup.
    if (this.newest !== key) {
      this.entries.delete(key);
      this.entries.set(key, variants);
      this.newest = key;
    }
    return variants;
  }

  /** Stores `entry`, replacing the variant with the same vary values. */
  put(key: string, entry: CachedResponse): void {
    const size = sizeOf(entry);
    if (size > this.maxBytes) return;
    const variants = (this.entries.get(key) ?? []).filter((v) => {
      const same =
        v.varyNames.join() === entry.varyNames.join() &&
        v.varyValues.join('\0') === entry.varyValues.join('\0');
      if (same) this.bytes -= sizeOf(v);
      return !same;
    });
    this.entries.delete(key);
    this.entries.set(key, [entry, ...variants]);
    this.newest = key;
    this.bytes += size;
    for (const [oldKey, oldVariants] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      if (oldKey === key) continue;
      this.entries.delete(oldKey);
      for (const v of oldVariants) this.bytes -= sizeOf(v);
    }
  }

  get size(): number {
    return this.bytes;
  }
}

function sizeOf(entry: CachedResponse): number {
  let size = entry.bodyBytes + 64;
  for (const name in entry.headers) size += name.length + (entry.headers[name]?.length ?? 0);
  return size;
}
