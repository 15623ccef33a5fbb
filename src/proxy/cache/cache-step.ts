import { Answer, type Reply } from '../../answer.js';
import { concatBytes } from '../../capped-body.js';
import type { RouteCacheConfig } from '../../config/schema.js';
import { withRequest, type Handler, type RequestContext, type Step } from '../../context.js';
import { freshnessLifetime, mayStore, parseCacheControl } from './cache-control.js';
import type { CachedResponse, MemoryStore } from './memory-store.js';

/** One `cache.key` entry: `header:NAME`, `query:NAME` or `claim:NAME`. */
interface KeyPart {
  readonly kind: 'header' | 'query' | 'claim';
  readonly name: string;
}

/** Request headers that ask for something a stored answer cannot give: forwarded untouched. */
const CONDITIONAL = ['if-none-match', 'if-modified-since', 'range', 'if-range'];

/**
 * Response caching of one route (docs/PROTOCOLS.md "Response caching"), after authorization and
 * hooks, before the upstream: a fresh stored answer to the same key (path, query, the route's
 * `key` parts, and the `Vary`ed request headers) is served with `Age` and `X-Cache: HIT`; a miss
 * goes upstream, once per key at a time (concurrent misses wait for it), and is stored when RFC
 * 9111 allows; a stale answer with an `ETag` is revalidated with `If-None-Match`.
 */
export function createCacheStep(config: RouteCacheConfig, store: MemoryStore, now: () => number): Step {
  const parts: KeyPart[] = (config.key ?? []).map((entry) => {
    const colon = entry.indexOf(':');
    return { kind: entry.slice(0, colon) as KeyPart['kind'], name: entry.slice(colon + 1) };
  });
  const keyHasIdentity = parts.some(
    (p) => p.kind === 'claim' || (p.kind === 'header' && p.name.toLowerCase() === 'authorization'),
  );
  const routeVary = (config.vary ?? []).map((name) => name.toLowerCase());
  const maxEntryBytes = Math.floor(store.maxBytes / 4);
  const inFlight = new Map<string, Promise<void>>();

  // A fresh hit answers synchronously, like a static route: no promise on the hit path.
  return (ctx, next) => {
    const headers = ctx.request.headers;
    if (ctx.method !== 'GET' || CONDITIONAL.some((name) => headers.has(name))) return next(ctx);
    const requestDirectives = parseCacheControl(headers.get('cache-control'));
    if (requestDirectives.has('no-store'))
      return Promise.resolve(next(ctx)).then((r) => withXCache(r, 'MISS'));
    const key = primaryKey(ctx, parts);
    const bypass = requestDirectives.has('no-cache');
    const entry = bypass ? undefined : findVariant(store.get(key), headers);
    if (entry && isFresh(entry, now())) return serve(entry, now(), 'HIT');
    return missed(ctx, next, key, bypass);
  };

  async function missed(ctx: RequestContext, next: Handler, key: string, bypass: boolean): Promise<Reply> {
    const headers = ctx.request.headers;
    const pending = inFlight.get(key);
    if (pending !== undefined) {
      // Another request is fetching this key: wait for it, then look again (no stampede).
      await pending;
      const entry = bypass ? undefined : findVariant(store.get(key), headers);
      if (entry && isFresh(entry, now())) return serve(entry, now(), 'HIT');
    }
    let done!: () => void;
    const leader = new Promise<void>((resolve) => (done = resolve));
    inFlight.set(key, leader);
    try {
      const stale = findVariant(store.get(key), headers);
      const etag = stale?.headers.etag;
      if (stale && etag !== undefined) {
        const conditional = new Headers(headers);
        conditional.set('if-none-match', etag);
        const reply = await next(
          withRequest(ctx, new Request(ctx.request.url, { headers: conditional }), ctx.search),
        );
        if (reply.status === 304) {
          const refreshed = refresh(stale, reply, config.ttl_s, now());
          store.put(key, refreshed);
          return serve(refreshed, now(), 'HIT');
        }
        return await storeAndServe(reply, ctx, key);
      }
      return await storeAndServe(await next(ctx), ctx, key);
    } finally {
      if (inFlight.get(key) === leader) inFlight.delete(key);
      done();
    }
  }

  async function storeAndServe(reply: Reply, ctx: RequestContext, key: string): Promise<Reply> {
    const replyHeaders = headerGetter(reply);
    const directives = parseCacheControl(replyHeaders.get('cache-control'));
    const storable = mayStore(
      reply.status,
      directives,
      replyHeaders,
      ctx.request.headers.has('authorization'),
      keyHasIdentity,
    );
    if (!storable) return withXCache(reply, 'MISS');
    const body = await wholeBody(reply, maxEntryBytes);
    if (!(body instanceof Uint8Array)) return withXCache(body, 'MISS');
    const record = headerRecord(reply);
    const varyNames = [
      ...new Set(
        [...(replyHeaders.get('vary') ?? '').split(','), ...routeVary].map((n) => n.trim().toLowerCase()),
      ),
    ].filter((n) => n !== '');
    const received = now();
    const upstreamAge = Number(record.age ?? '0');
    delete record.age;
    const entry: CachedResponse = {
      status: reply.status,
      headers: record,
      body: asText(body) ?? body,
      bodyBytes: body.byteLength,
      storedAt: received - (Number.isFinite(upstreamAge) ? upstreamAge * 1000 : 0),
      lifetimeMs: freshnessLifetime(directives, replyHeaders, config.ttl_s) * 1000,
      varyNames,
      varyValues: varyNames.map((name) => ctx.request.headers.get(name)),
    };
    store.put(key, entry);
    return serve(entry, received, 'MISS');
  }
}

function primaryKey(ctx: RequestContext, parts: readonly KeyPart[]): string {
  let key = `${ctx.host}${ctx.path}${ctx.search}`;
  if (parts.length === 0) return key;
  let query: URLSearchParams | undefined;
  for (const part of parts) {
    let value: unknown;
    if (part.kind === 'header') value = ctx.request.headers.get(part.name);
    else if (part.kind === 'query') value = (query ??= new URLSearchParams(ctx.search)).get(part.name);
    else value = ctx.claims?.[part.name];
    key += `\0${part.kind}:${part.name}=${JSON.stringify(value ?? null)}`;
  }
  return key;
}

function findVariant(
  variants: readonly CachedResponse[] | undefined,
  headers: Headers,
): CachedResponse | undefined {
  return variants?.find((v) => v.varyNames.every((name, i) => headers.get(name) === v.varyValues[i]));
}

function isFresh(entry: CachedResponse, now: number): boolean {
  return now - entry.storedAt < entry.lifetimeMs;
}

function serve(entry: CachedResponse, now: number, outcome: 'HIT' | 'MISS'): Answer {
  const age = Math.max(0, Math.floor((now - entry.storedAt) / 1000));
  return new Answer(entry.status, { ...entry.headers, age: String(age), 'x-cache': outcome }, entry.body);
}

/** A 304 refreshes the stored answer's freshness and the headers it sent (RFC 9111 §4.3.4). */
function refresh(stale: CachedResponse, reply: Reply, ttlS: number, now: number): CachedResponse {
  const updates = headerRecord(reply);
  delete updates['content-length'];
  delete updates.age;
  const headers = { ...stale.headers, ...updates };
  const getter = { get: (name: string) => headers[name] ?? null };
  return {
    ...stale,
    headers,
    storedAt: now,
    lifetimeMs: freshnessLifetime(parseCacheControl(headers['cache-control']), getter, ttlS) * 1000,
  };
}

function headerGetter(reply: Reply): { get(name: string): string | null } {
  if (reply instanceof Answer) return { get: (name) => reply.headers[name] ?? null };
  return reply.headers;
}

function headerRecord(reply: Reply): Record<string, string> {
  if (reply instanceof Answer) return { ...reply.headers };
  const record: Record<string, string> = {};
  for (const [name, value] of reply.headers) record[name] = value;
  return record;
}

/**
 * The body as bytes when it is small enough to store: an Answer's is already whole; a streamed
 * one is read up to the limit. A body that turns out larger is not stored: the reply it came
 * with is rebuilt to stream what was read and then the rest, so at most the limit is ever held
 * (Workers' `fetch` gives no `Content-Length` to decide by up front).
 */
async function wholeBody(reply: Reply, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | Reply> {
  if (reply instanceof Answer) {
    const body = reply.body;
    if (body === null) return new Uint8Array(0);
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    return bytes.byteLength <= maxBytes ? bytes : reply;
  }
  if (reply.body === null) return new Uint8Array(0);
  const declared = reply.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) return reply;
  const reader = reply.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total > maxBytes) return new Response(replay(chunks, reader), reply);
  }
  return concatBytes(chunks, total);
}

/** What was read, then the rest of the stream. */
function replay(
  read: Uint8Array[],
  rest: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buffered = read[index];
      if (buffered !== undefined) {
        read[index++] = new Uint8Array(0);
        controller.enqueue(buffered);
        return;
      }
      const { done, value } = await rest.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => rest.cancel(reason),
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function asText(bytes: Uint8Array<ArrayBuffer>): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

function withXCache(reply: Reply, outcome: 'HIT' | 'MISS'): Reply {
  if (reply instanceof Answer)
    return new Answer(reply.status, { ...reply.headers, 'x-cache': outcome }, reply.body);
  try {
    reply.headers.set('x-cache', outcome);
    return reply;
  } catch {
    const copy = new Response(reply.body, reply);
    copy.headers.set('x-cache', outcome);
    return copy;
  }
}
