import type { Logger } from '../../observability/logger.js';
import { MemoryStore, type CachedResponse, type ResponseStore } from '../../proxy/cache/memory-store.js';
import type { HeaderReader } from '../../proxy/client-address.js';

/** The named cache the gateway keeps its answers in (not `caches.default`: the zone's own). */
const CACHE_NAME = 'gatehouse-responses';
/**
 * Keys are URLs under the Worker's own origin (Cloudflare advises the Worker's hostname in cache
 * keys), in a path of their own; before any request told the origin, a host nobody can own
 * (RFC 6761).
 */
const KEY_PATH = '/.gatehouse-cache/';
const FALLBACK_ORIGIN = 'https://gatehouse-cache.invalid';
/** The entry's own data, beside the body: status, headers and freshness, URI-encoded JSON. */
const ENTRY_HEADER = 'x-gatehouse-entry';
/** How long a stale entry with a validator stays for revalidation after its stale windows. */
const REVALIDATION_RETAIN_S = 24 * 60 * 60;

interface StoredEntry {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly storedAt: number;
  readonly lifetimeMs: number;
  readonly staleWhileRevalidateMs: number;
  readonly staleIfErrorMs: number;
  readonly varyNames: readonly string[];
  readonly varyValues: readonly (string | null)[];
  readonly text: boolean;
}

/** Under the primary key of an answer that varies: which request headers pick the variant. */
interface VaryIndex {
  readonly index: readonly string[];
}

/**
 * The Workers response store (docs/PROTOCOLS.md "Response caching"): the isolate's bounded
 * memory store in front of the Cache API (`caches.open("gatehouse-responses")`), which every
 * isolate of the data centre shares and which outlives an isolate. A hit in memory costs no
 * promise; a miss there asks the Cache API, and what it finds is kept in memory too. Stores go
 * to memory at once and to the Cache API in the background (`waitUntil`).
 *
 * The Cache API keeps each answer as a 200 whose `Cache-Control: max-age` is how long the
 * gateway may still use it (fresh, stale windows, then a day for revalidation when it has a
 * validator); the real status, headers and freshness travel in one header. The Cache API's own
 * `Vary` handling is not used: an answer that varies leaves an index under its primary key
 * naming the request headers, and each variant has its own key.
 *
 * When the Cache API fails (plain workerd without a cache service answers "No Cache was
 * configured"; Miniflare and `wrangler dev` provide one), the error is logged once and the
 * memory store alone serves, as it does on Node.
 */
export function createCacheApiStore(options: {
  readonly caches: CacheStorage;
  readonly maxBytes: number;
  readonly now: () => number;
  readonly waitUntil: (promise: Promise<unknown>) => void;
  readonly logger: Logger;
  /** The Worker's origin as its first request saw it. */
  readonly origin: () => string | undefined;
}): ResponseStore {
  const keyUrl = (key: string, varyValues?: readonly (string | null)[]): Promise<string> =>
    hashedKeyUrl(options.origin() ?? FALLBACK_ORIGIN, key, varyValues);
  const memory = new MemoryStore(options.maxBytes);
  let shared: Promise<Cache> | undefined;
  let failed = false;
  const cache = (): Promise<Cache> => (shared ??= options.caches.open(CACHE_NAME));
  const unavailable = (error: unknown): undefined => {
    if (!failed)
      options.logger.warn('cache api unavailable, caching in memory only', { error: String(error) });
    failed = true;
    return undefined;
  };

  async function fromShared(key: string, headers: HeaderReader): Promise<CachedResponse | undefined> {
    const primary = await keyUrl(key);
    const found = await (await cache()).match(primary);
    if (found === undefined) return undefined;
    const stored = readEntry<StoredEntry | VaryIndex>(found);
    if (stored === undefined) return void (await found.body?.cancel());
    if ('index' in stored) {
      await found.body?.cancel();
      const variant = await (
        await cache()
      ).match(
        await keyUrl(
          key,
          stored.index.map((name) => headers.get(name)),
        ),
      );
      const entry = variant && readEntry<StoredEntry>(variant);
      return variant && entry ? toCached(entry, variant) : undefined;
    }
    return toCached(stored, found);
  }

  async function toShared(key: string, entry: CachedResponse): Promise<void> {
    const retainS = Math.ceil(
      (entry.lifetimeMs + Math.max(entry.staleWhileRevalidateMs, entry.staleIfErrorMs)) / 1000 +
        (entry.headers.etag !== undefined || entry.headers['last-modified'] !== undefined
          ? REVALIDATION_RETAIN_S
          : 0) -
        (options.now() - entry.storedAt) / 1000,
    );
    if (retainS <= 0) return;
    const target = await cache();
    const meta: StoredEntry = {
      status: entry.status,
      headers: { ...entry.headers },
      storedAt: entry.storedAt,
      lifetimeMs: entry.lifetimeMs,
      staleWhileRevalidateMs: entry.staleWhileRevalidateMs,
      staleIfErrorMs: entry.staleIfErrorMs,
      varyNames: entry.varyNames,
      varyValues: entry.varyValues,
      text: typeof entry.body === 'string',
    };
    const retain = { 'cache-control': `max-age=${retainS}` };
    if (entry.varyNames.length > 0) {
      const index: VaryIndex = { index: entry.varyNames };
      await target.put(
        await keyUrl(key),
        new Response(null, { headers: { ...retain, [ENTRY_HEADER]: encode(index) } }),
      );
    }
    await target.put(
      await keyUrl(key, entry.varyNames.length > 0 ? entry.varyValues : undefined),
      new Response(entry.body, { headers: { ...retain, [ENTRY_HEADER]: encode(meta) } }),
    );
  }

  return {
    maxEntryBytes: memory.maxEntryBytes,
    find(key, headers) {
      const local = memory.find(key, headers);
      // Fresh in memory: the fast path. Stale or absent: another isolate may have a newer one.
      if (failed || (local !== undefined && options.now() - local.storedAt < local.lifetimeMs)) return local;
      return fromShared(key, headers).then(
        (remote) => {
          if (remote === undefined || (local !== undefined && local.storedAt >= remote.storedAt))
            return local;
          memory.put(key, remote);
          return remote;
        },
        (error: unknown) => unavailable(error) ?? local,
      );
    },
    put(key, entry) {
      memory.put(key, entry);
      if (!failed) options.waitUntil(toShared(key, entry).catch(unavailable));
    },
  };
}

async function toCached(entry: StoredEntry, response: Response): Promise<CachedResponse> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  return {
    status: entry.status,
    headers: entry.headers,
    body: entry.text ? new TextDecoder().decode(bytes) : bytes,
    bodyBytes: bytes.byteLength,
    storedAt: entry.storedAt,
    lifetimeMs: entry.lifetimeMs,
    staleWhileRevalidateMs: entry.staleWhileRevalidateMs,
    staleIfErrorMs: entry.staleIfErrorMs,
    varyNames: entry.varyNames,
    varyValues: entry.varyValues,
  };
}

function readEntry<T>(response: Response): T | undefined {
  const raw = response.headers.get(ENTRY_HEADER);
  if (raw === null) return undefined;
  try {
    return JSON.parse(decodeURIComponent(raw)) as T;
  } catch {
    return undefined;
  }
}

/** Header values are bytes: the JSON goes URI-encoded, whatever characters the headers hold. */
function encode(value: StoredEntry | VaryIndex): string {
  return encodeURIComponent(JSON.stringify(value));
}

/** The cache key URL: a SHA-256 of the gateway's key (and of a variant's header values). */
async function hashedKeyUrl(
  origin: string,
  key: string,
  varyValues?: readonly (string | null)[],
): Promise<string> {
  const material = varyValues === undefined ? key : `${key}\0${JSON.stringify(varyValues)}`;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(material)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return `${origin}${KEY_PATH}${varyValues === undefined ? '' : 'v/'}${hex}`;
}
