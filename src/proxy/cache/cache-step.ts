import { Answer, type Reply } from '../../answer.js';
import { concatBytes } from '../../capped-body.js';
import type { RouteCacheConfig } from '../../config/schema.js';
import { withRequest, type Handler, type RequestContext, type Step } from '../../context.js';
import { requestHeaderReader } from '../../pipeline/request-headers.js';
import type { HeaderReader } from '../client-address.js';
import { freshnessLifetime, mayStore, parseCacheControl, staleWindows } from './cache-control.js';
import { notModified, notModifiedHeaders } from './conditional.js';
import type { CachedResponse, ResponseStore } from './memory-store.js';

/** One `cache.key` entry: `header:NAME`, `query:NAME` or `claim:NAME`. */
interface KeyPart {
  readonly kind: 'header' | 'query' | 'claim';
  readonly name: string;
}

/** What a stored answer is served as: fresh, stale (RFC 5861), or what just came from upstream. */
type Outcome = 'HIT' | 'STALE' | 'MISS';

/** Statuses after which a stale answer may stand in for the upstream's (RFC 5861 §4). */
const ERROR_STATUS = new Set([500, 502, 503, 504]);

/** The background revalidations of a stale-while-revalidate hit; Workers keep them alive. */
export type KeepAlive = (promise: Promise<unknown>) => void;

/**
 * Response caching of one route (docs/PROTOCOLS.md "Response caching"), after authorization and
 * hooks, before the upstream: a fresh stored answer to the same key (path, query, the route's
 * `key` parts, and the `Vary`ed request headers) is served with `Age` and `X-Cache: HIT` (to a
 * `HEAD` without its body, to a matching conditional request as a 304); a miss goes upstream,
 * once per key at a time (concurrent misses wait for it), and is stored when RFC 9111 allows; a
 * stale answer is revalidated (`If-None-Match` / `If-Modified-Since`), served at once while that
 * happens in the background within `stale-while-revalidate`, and served instead of an upstream
 * failure within `stale-if-error` (RFC 5861).
 */
export function createCacheStep(
  config: RouteCacheConfig,
  store: ResponseStore,
  now: () => number,
  keepAlive: KeepAlive,
): Step {
  const parts: KeyPart[] = (config.key ?? []).map((entry) => {
    const colon = entry.indexOf(':');
    const kind = entry.slice(0, colon) as KeyPart['kind'];
    const name = entry.slice(colon + 1);
    // Header names are case-insensitive and the runtimes' header readers take them lower-case:
    // read as written, `header:X-Tenant` found nothing on Node and every tenant shared one key
    // (test/regressions/cache-key-identity-leak.test.ts).
    return { kind, name: kind === 'header' ? name.toLowerCase() : name };
  });
  const keyHasIdentity = parts.some(
    (p) => p.kind === 'claim' || (p.kind === 'header' && p.name === 'authorization'),
  );
  const routeVary = (config.vary ?? []).map((name) => name.toLowerCase());
  const inFlight = new Map<string, Promise<void>>();
  /**
   * The answer a fresh hit is served as, per entry, rebuilt only when its `Age` (whole seconds)
   * changed: a hit then copies and allocates nothing per request, like a static route's answer.
   * Answers are never modified downstream (answer.ts), so one serves every request of that
   * second. A WeakMap, not a field: refresh() copies entries with a spread.
   */
  const hitAnswers = new WeakMap<CachedResponse, { readonly age: number; readonly answer: Answer }>();

  // A fresh hit in memory answers synchronously, like a static route: no promise on that path.
  return (ctx, next) => {
    const headers = requestHeaderReader(ctx);
    const head = ctx.method === 'HEAD';
    if ((ctx.method !== 'GET' && !head) || headers.get('range') !== null || headers.get('if-range') !== null)
      return next(ctx);
    const requestDirectives = parseCacheControl(headers.get('cache-control'));
    if (requestDirectives.has('no-store') || (head && requestDirectives.has('no-cache')))
      return Promise.resolve(next(ctx)).then((r) => withXCache(r, 'MISS'));
    const key = primaryKey(ctx, parts, headers);
    if (requestDirectives.has('no-cache')) return missed(ctx, next, key, undefined, true);
    const found = store.find(key, headers);
    return found instanceof Promise
      ? found.then((entry) => fromStore(ctx, next, key, entry, headers))
      : fromStore(ctx, next, key, found, headers);
  };

  function fromStore(
    ctx: RequestContext,
    next: Handler,
    key: string,
    entry: CachedResponse | undefined,
    headers: HeaderReader,
  ): Reply | Promise<Reply> {
    if (entry !== undefined) {
      const at = now();
      const age = at - entry.storedAt;
      if (age < entry.lifetimeMs) return serve(entry, headers, 'HIT', at);
      if (age < entry.lifetimeMs + entry.staleWhileRevalidateMs) {
        revalidateInBackground(ctx, next, key, entry);
        return serve(entry, headers, 'STALE', at);
      }
    }
    // Nothing fresh for a HEAD or a client's own conditional request: the upstream answers it.
    if (
      ctx.method === 'HEAD' ||
      headers.get('if-none-match') !== null ||
      headers.get('if-modified-since') !== null
    )
      return Promise.resolve(next(ctx)).then((r) => withXCache(r, 'MISS'));
    return missed(ctx, next, key, entry, false);
  }

  async function missed(
    ctx: RequestContext,
    next: Handler,
    key: string,
    known: CachedResponse | undefined,
    bypass: boolean,
  ): Promise<Reply> {
    let stale = known;
    const pending = inFlight.get(key);
    if (pending !== undefined) {
      // Another request is fetching this key: wait for it, then look again (no stampede).
      await pending;
      stale = await store.find(key, requestHeaderReader(ctx));
      if (!bypass && stale && now() - stale.storedAt < stale.lifetimeMs)
        return serve(stale, requestHeaderReader(ctx), 'HIT');
    }
    let done!: () => void;
    const leader = new Promise<void>((resolve) => (done = resolve));
    inFlight.set(key, leader);
    try {
      let reply: Reply;
      try {
        reply = await fetchUpstream(ctx, next, stale);
      } catch (error) {
        if (stale && usableOnError(stale)) return serve(stale, requestHeaderReader(ctx), 'STALE');
        throw error;
      }
      if (stale && ERROR_STATUS.has(reply.status) && usableOnError(stale)) {
        await discard(reply);
        return serve(stale, requestHeaderReader(ctx), 'STALE');
      }
      const kept = await keep(reply, ctx, key, stale);
      return 'lifetimeMs' in kept
        ? serve(kept, requestHeaderReader(ctx), reply.status === 304 ? 'HIT' : 'MISS')
        : withXCache(kept, 'MISS');
    } finally {
      if (inFlight.get(key) === leader) inFlight.delete(key);
      done();
    }
  }

  /** stale-while-revalidate: one revalidation per key, after the stale answer went out. */
  function revalidateInBackground(
    ctx: RequestContext,
    next: Handler,
    key: string,
    stale: CachedResponse,
  ): void {
    if (inFlight.has(key)) return;
    let done!: () => void;
    const leader = new Promise<void>((resolve) => (done = resolve));
    inFlight.set(key, leader);
    const work = (async () => {
      const reply = await fetchUpstream(ctx, next, stale);
      if (ERROR_STATUS.has(reply.status)) return discard(reply);
      const kept = await keep(reply, ctx, key, stale);
      if (!('lifetimeMs' in kept)) await discard(kept);
    })()
      .catch(() => undefined)
      .finally(() => {
        if (inFlight.get(key) === leader) inFlight.delete(key);
        done();
      });
    keepAlive(work);
  }

  function usableOnError(entry: CachedResponse): boolean {
    return now() - entry.storedAt < entry.lifetimeMs + entry.staleIfErrorMs;
  }

  /** The upstream's answer; conditional (RFC 9111 §4.3.1) when a stale entry has a validator. */
  function fetchUpstream(
    ctx: RequestContext,
    next: Handler,
    stale: CachedResponse | undefined,
  ): Promise<Reply> {
    const etag = stale?.headers.etag;
    const lastModified = stale?.headers['last-modified'];
    if (etag === undefined && lastModified === undefined) return Promise.resolve(next(ctx));
    const conditional = new Headers(ctx.request.headers);
    if (etag !== undefined) conditional.set('if-none-match', etag);
    else if (lastModified !== undefined) conditional.set('if-modified-since', lastModified);
    return Promise.resolve(
      next(withRequest(ctx, new Request(ctx.request.url, { headers: conditional }), ctx.search)),
    );
  }

  /**
   * Stores what the upstream said when RFC 9111 allows (a 304 refreshes the stale entry it
   * answered); returns the stored entry, or the reply to pass on unstored.
   */
  async function keep(
    reply: Reply,
    ctx: RequestContext,
    key: string,
    stale: CachedResponse | undefined,
  ): Promise<CachedResponse | Reply> {
    if (reply.status === 304 && stale) {
      const refreshed = refresh(stale, reply, config, now());
      await store.put(key, refreshed);
      return refreshed;
    }
    const replyHeaders = headerGetter(reply);
    const directives = parseCacheControl(replyHeaders.get('cache-control'));
    const storable = mayStore(
      reply.status,
      directives,
      replyHeaders,
      requestHeaderReader(ctx).get('authorization') !== null,
      keyHasIdentity,
    );
    if (!storable) return reply;
    const body = await wholeBody(reply, store.maxEntryBytes);
    if (!(body instanceof Uint8Array)) return body;
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
      ...staleWindows(directives, config),
      varyNames,
      varyValues: varyNames.map((name) => requestHeaderReader(ctx).get(name)),
    };
    await store.put(key, entry);
    return entry;
  }

  /** A stored answer to this request: whole (headers only on the wire for HEAD), or 304 when the client has it. */
  function serve(entry: CachedResponse, headers: HeaderReader, outcome: Outcome, at = now()): Answer {
    const age = Math.max(0, Math.floor((at - entry.storedAt) / 1000));
    if (
      (headers.get('if-none-match') !== null || headers.get('if-modified-since') !== null) &&
      entry.status === 200 &&
      notModified(entry, headers)
    )
      return new Answer(304, { ...notModifiedHeaders(entry), age: String(age), 'x-cache': outcome }, null);
    // HEAD gets the body too: both runtimes drop a HEAD response's body on the wire (RFC 9110
    // §9.3.2) and keep the Content-Length it implies, which a null body would lose.
    if (outcome !== 'HIT') return new Answer(entry.status, servedRecord(entry, age, outcome), entry.body);
    let served = hitAnswers.get(entry);
    if (served?.age !== age) {
      served = { age, answer: new Answer(entry.status, servedRecord(entry, age, outcome), entry.body) };
      hitAnswers.set(entry, served);
    }
    return served.answer;
  }
}

/** The stored header list with this answer's `Age` and `X-Cache` (a for-in copy: see gateway.ts). */
function servedRecord(entry: CachedResponse, age: number, outcome: Outcome): Record<string, string> {
  const record: Record<string, string> = {};
  const stored = entry.headers;
  for (const name in stored) record[name] = stored[name] as string;
  record.age = String(age);
  record['x-cache'] = outcome;
  return record;
}

function primaryKey(ctx: RequestContext, parts: readonly KeyPart[], headers: HeaderReader): string {
  let key = `${ctx.host}${ctx.path}${ctx.search}`;
  if (parts.length === 0) return key;
  let query: URLSearchParams | undefined;
  for (const part of parts) {
    let value: unknown;
    if (part.kind === 'header') value = headers.get(part.name);
    else if (part.kind === 'query') value = (query ??= new URLSearchParams(ctx.search)).get(part.name);
    else value = ctx.claims?.[part.name];
    key += `\0${part.kind}:${part.name}=${JSON.stringify(value ?? null)}`;
  }
  return key;
}

/** A 304 refreshes the stored answer's freshness and the headers it sent (RFC 9111 §4.3.4). */
function refresh(stale: CachedResponse, reply: Reply, config: RouteCacheConfig, now: number): CachedResponse {
  const updates = headerRecord(reply);
  delete updates['content-length'];
  delete updates.age;
  const headers = { ...stale.headers, ...updates };
  const getter = { get: (name: string) => headers[name] ?? null };
  const directives = parseCacheControl(headers['cache-control']);
  return {
    ...stale,
    headers,
    storedAt: now,
    lifetimeMs: freshnessLifetime(directives, getter, config.ttl_s) * 1000,
    ...staleWindows(directives, config),
  };
}

/** Reads and drops a reply that will not be passed on, so its connection is freed. */
async function discard(reply: Reply): Promise<void> {
  if (!(reply instanceof Answer)) await reply.body?.cancel().catch(() => undefined);
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

function withXCache(reply: Reply, outcome: Outcome): Reply {
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
