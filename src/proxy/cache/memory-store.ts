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
  /** Request header values the response varies on (its `Vary` and the route's `vary`). */
  readonly varyValues: readonly (string | null)[];
  readonly varyNames: readonly string[];
}

/**
 * A memory store bounded in bytes (docs/PROTOCOLS.md "Response caching"): least recently used
 * entries leave first when a new one would pass `maxBytes`. One primary key may hold several
 * variants (one per combination of `Vary`ed request header values). Runtime-neutral; on Workers
 * each isolate has its own.
 */
export class MemoryStore {
  private readonly entries = new Map<string, CachedResponse[]>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  /** The variants of `key`, most recently used first; marks the key as recently used. */
  get(key: string): readonly CachedResponse[] | undefined {
    const variants = this.entries.get(key);
    if (variants === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, variants);
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
