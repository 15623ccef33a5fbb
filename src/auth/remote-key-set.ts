import {
  createLocalJWKSet,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose';
import { controlPlaneGet } from '../control-plane-fetch.js';
import { KeySetUnavailableError } from './errors.js';
import type { KeySetFetchListener, KeySetProbeOutcome, KeySource, KeySourceInfo } from './key-sets.js';

/**
 * A remote key set (`jwks_uri`), one per URL per process or isolate (docs/AUTH.md "Remote key sets").
 * We fetch the set ourselves, under the one control-plane policy (src/control-plane-fetch.ts:
 * a timeout that also covers the body, no redirects, a size cap), and hand it to jose's
 * `createLocalJWKSet` rather than using `createRemoteJWKSet`, to own what jose's client does
 * differently: a cooldown counted from the last attempt, fast failure after a failed fetch, one
 * shared fetch on Workers too, the caller's clock, and the facts explanations need (keys, when,
 * from where). The comparison is in docs/AUTH.md "Remote key sets". Time comes from the caller's clock so
 * tests can move it; only the fetch timeout uses real timers.
 */
export interface RemoteKeySetOptions {
  /** Keys older than this are refetched before use. */
  readonly cacheMaxAgeMs: number;
  /** An unknown `kid` triggers a refetch at most once per this period. */
  readonly cooldownMs: number;
  /** Whole fetch, headers and body. */
  readonly timeoutMs: number;
  /** Larger responses are refused (a key set is a few KiB). */
  readonly maxBytes: number;
  /** After a failed fetch, requests fail fast for this long instead of each waiting for a new attempt. */
  readonly retryAfterFailureMs: number;
}

export const DEFAULT_REMOTE_KEY_SET_OPTIONS: RemoteKeySetOptions = {
  cacheMaxAgeMs: 10 * 60_000,
  cooldownMs: 30_000,
  timeoutMs: 5_000,
  maxBytes: 512 * 1024,
  retryAfterFailureMs: 1_000,
};

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

export interface RemoteKeySetStats extends KeySourceInfo {
  /** Fetches started since the client was created. */
  readonly fetchCount: number;
}

export class RemoteKeySet implements KeySource {
  readonly url: string;
  private readonly options: RemoteKeySetOptions;
  private readonly fetchImpl: typeof fetch;
  private local: LocalKeySet | undefined;
  private kids: (string | undefined)[] = [];
  private fetchedAt: number | undefined;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private failure: Error | undefined;
  private inflight: Promise<void> | undefined;
  private fetchCount = 0;
  /** Who wants to know about each fetch's outcome (metrics), by authorizer name: a reload replaces, never adds. */
  private readonly observers = new Map<string, (outcome: 'ok' | 'error') => void>();

  constructor(url: string, options: RemoteKeySetOptions, fetchImpl: typeof fetch) {
    this.url = url;
    this.options = options;
    this.fetchImpl = fetchImpl;
  }

  observeFetches(name: string, listener: KeySetFetchListener): void {
    this.observers.set(name, (outcome) => listener(outcome, this.url));
  }

  /** Holds keys and the last fetch did not fail (readiness, docs/OBSERVABILITY.md). */
  get healthy(): boolean {
    return this.local !== undefined && this.failure === undefined;
  }

  async probe(now: number): Promise<KeySetProbeOutcome> {
    if (!this.healthy) await this.refresh(now).catch(() => undefined);
    return this.healthy
      ? { ready: true, detail: this.url }
      : { ready: false, detail: this.failure?.message ?? `key set ${this.url} not fetched yet` };
  }

  info(): RemoteKeySetStats {
    return {
      kind: 'jwks_uri',
      url: this.url,
      kids: this.kids,
      fetchCount: this.fetchCount,
      ...(this.fetchedAt === undefined ? {} : { fetchedAt: this.fetchedAt }),
      ...(this.failure ? { lastError: this.failure.message } : {}),
    };
  }

  async resolve(header: JWSHeaderParameters, token: FlattenedJWSInput, now: number): Promise<CryptoKey> {
    if (!this.local || this.fetchedAt === undefined || now - this.fetchedAt >= this.options.cacheMaxAgeMs) {
      await this.refresh(now);
    }
    try {
      return await this.current()(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // Unknown kid: maybe the issuer rotated keys. Join a fetch already running; otherwise
      // refetch only outside the cooldown, so tokens with made-up kids cannot hammer the issuer.
      if (!this.inflight && now - this.lastAttemptAt < this.options.cooldownMs) throw error;
      await this.refresh(now);
      return await this.current()(header, token);
    }
  }

  prefetch(now: number): Promise<void> {
    return this.local ? Promise.resolve() : this.refresh(now);
  }

  /** Fetches the set now, or joins the fetch in flight: concurrent callers share one request. */
  refresh(now: number): Promise<void> {
    if (this.inflight) return this.join(this.inflight);
    if (this.failure && now - this.lastAttemptAt < this.options.retryAfterFailureMs) {
      return Promise.reject(this.failure);
    }
    this.lastAttemptAt = now;
    const run = this.load(now);
    this.inflight = run;
    return run;
  }

  private current(): LocalKeySet {
    if (!this.local) throw new KeySetUnavailableError(this.url, 'no keys fetched yet');
    return this.local;
  }

  private async load(now: number): Promise<void> {
    this.fetchCount++;
    try {
      const json = await fetchKeySet(this.url, this.options, this.fetchImpl);
      const local = createLocalJWKSet(json as JSONWebKeySet);
      const keys = (json as JSONWebKeySet).keys;
      this.local = local;
      this.kids = keys.map((key) => (typeof key.kid === 'string' ? key.kid : undefined));
      this.fetchedAt = now;
      this.failure = undefined;
      this.notify('ok');
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.notify('error');
      throw this.failure;
    } finally {
      this.inflight = undefined;
    }
  }

  private notify(outcome: 'ok' | 'error'): void {
    for (const listener of this.observers.values()) {
      try {
        listener(outcome);
      } catch {
        // An observer's failure must never fail a key set fetch.
      }
    }
  }

  /**
   * Waiting for another caller's fetch, with our own deadline. On Node the fetch settles within
   * its timeout anyway; on Workers a promise settled by another request's I/O might never wake
   * this request, so every waiter is bounded by its own timer.
   */
  private join(inflight: Promise<void>): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new KeySetUnavailableError(this.url, `timed out after ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs + 50,
      );
    });
    return Promise.race([inflight, deadline]).finally(() => clearTimeout(timer));
  }
}

/**
 * GETs a key set under the control-plane policy (src/control-plane-fetch.ts: no redirects, the
 * timeout covering the body, the size cap). Resolves with parsed JSON.
 */
async function fetchKeySet(
  url: string,
  options: RemoteKeySetOptions,
  fetchImpl: typeof fetch,
): Promise<unknown> {
  const result = await controlPlaneGet(fetchImpl, url, 'application/jwk-set+json, application/json', options);
  switch (result.kind) {
    case 'unreachable':
      throw new KeySetUnavailableError(
        url,
        result.timedOut ? `timed out after ${options.timeoutMs} ms` : `request failed (${result.reason})`,
      );
    case 'redirect':
      throw new KeySetUnavailableError(
        url,
        `answered a ${result.status || 'redirect'}; redirects are not followed`,
      );
    case 'too_large':
      throw new KeySetUnavailableError(
        url,
        result.status === 200
          ? `response larger than the ${options.maxBytes}-byte limit`
          : `answered HTTP ${result.status}`,
      );
    case 'answer':
      break;
  }
  if (result.status !== 200) throw new KeySetUnavailableError(url, `answered HTTP ${result.status}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(result.bytes);
  } catch {
    throw new errors.JWKSInvalid('the key set response is not UTF-8 text');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new errors.JWKSInvalid('the key set response is not JSON');
  }
}

/**
 * One client per URL (and policy) per process or isolate, shared by every authorizer and every
 * compiled config that names it, so a config reload does not refetch. Keyed by the fetch
 * function too: two platforms in one process (tests) never share connections or state.
 */
const clients = new WeakMap<typeof fetch, Map<string, RemoteKeySet>>();

export function getRemoteKeySet(
  url: string,
  options: RemoteKeySetOptions,
  fetchImpl: typeof fetch,
): RemoteKeySet {
  const href = new URL(url).href;
  const key = [
    href,
    options.cacheMaxAgeMs,
    options.cooldownMs,
    options.timeoutMs,
    options.maxBytes,
    options.retryAfterFailureMs,
  ].join(' ');
  let byUrl = clients.get(fetchImpl);
  if (!byUrl) {
    byUrl = new Map();
    clients.set(fetchImpl, byUrl);
  }
  let client = byUrl.get(key);
  if (!client) {
    client = new RemoteKeySet(href, options, fetchImpl);
    byUrl.set(key, client);
  }
  return client;
}
