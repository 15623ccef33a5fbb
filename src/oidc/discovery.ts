import * as oauth from 'oauth4webapi';
import { controlPlaneGet } from '../control-plane-fetch.js';
import type { RemoteKeySetOptions } from '../auth/remote-key-set.js';

/**
 * OpenID Connect Discovery 1.0 for one issuer (docs/FLOWS.md "OpenID Connect"): the document at
 * `{issuer}/.well-known/openid-configuration` (§4: the well-known suffix is appended to the
 * issuer's path, so `https://id.example/realms/x` works), accepted only when its `issuer` is
 * exactly the configured string (§4.3: no normalisation; a trailing slash matters because it is
 * what tokens carry in `iss`). Cached and refreshed with the rules of remote key sets
 * (docs/BEHAVIOUR.md "Remote key sets"): refetched once older than `cacheMaxAgeMs`, concurrent
 * callers share one request, a failure fails fast for `retryAfterFailureMs`; a document already
 * held keeps serving while the provider is unreachable (an issuer mismatch never does).
 */
export class DiscoveryError extends Error {
  constructor(
    /** `issuer_mismatch`: the document names another issuer; `unavailable`: anything else. */
    readonly reason: 'issuer_mismatch' | 'unavailable',
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

export class IssuerDiscovery {
  readonly url: string;
  private document: oauth.AuthorizationServer | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private failure: DiscoveryError | undefined;
  private inflight: Promise<oauth.AuthorizationServer> | undefined;
  fetchCount = 0;

  constructor(
    readonly issuer: string,
    private readonly options: RemoteKeySetOptions,
    private readonly fetchImpl: typeof fetch,
  ) {
    this.url = discoveryUrl(issuer);
  }

  /** A document is held and the last fetch did not fail (readiness, docs/OBSERVABILITY.md). */
  get healthy(): boolean {
    return this.document !== undefined && this.failure === undefined;
  }

  /** Why the last fetch failed, while it is the latest outcome. */
  get lastError(): string | undefined {
    return this.failure?.message;
  }

  /** The provider's metadata; rejects with DiscoveryError. */
  metadata(now: number): Promise<oauth.AuthorizationServer> {
    if (this.document && now - this.fetchedAt < this.options.cacheMaxAgeMs) {
      return Promise.resolve(this.document);
    }
    return this.refresh(now);
  }

  private refresh(now: number): Promise<oauth.AuthorizationServer> {
    if (this.inflight) return this.inflight;
    if (this.failure && now - this.lastAttemptAt < this.options.retryAfterFailureMs) {
      return this.document && this.failure.reason === 'unavailable'
        ? Promise.resolve(this.document)
        : Promise.reject(this.failure);
    }
    this.lastAttemptAt = now;
    const run = this.load(now).finally(() => {
      this.inflight = undefined;
    });
    this.inflight = run;
    return run;
  }

  private async load(now: number): Promise<oauth.AuthorizationServer> {
    this.fetchCount++;
    try {
      const document = await this.fetchDocument();
      this.document = document;
      this.fetchedAt = now;
      this.failure = undefined;
      return document;
    } catch (error) {
      this.failure =
        error instanceof DiscoveryError
          ? error
          : new DiscoveryError(
              'unavailable',
              error instanceof Error ? error.message : String(error),
              this.url,
            );
      if (this.document && this.failure.reason === 'unavailable') return this.document;
      if (this.failure.reason === 'issuer_mismatch') this.document = undefined;
      throw this.failure;
    }
  }

  private async fetchDocument(): Promise<oauth.AuthorizationServer> {
    const fail = (message: string) => new DiscoveryError('unavailable', message, this.url);
    const { timeoutMs, maxBytes } = this.options;
    const result = await controlPlaneGet(this.fetchImpl, this.url, 'application/json', {
      timeoutMs,
      maxBytes,
    });
    if (result.kind === 'unreachable')
      throw fail(result.timedOut ? `timed out after ${timeoutMs} ms` : `request failed (${result.reason})`);
    if (result.kind === 'redirect') throw fail(`answered HTTP ${result.status}; redirects are not followed`);
    if (result.status !== 200) throw fail(`answered HTTP ${result.status}`);
    if (result.kind === 'too_large') throw fail(`document larger than ${maxBytes} bytes`);
    const text = new TextDecoder().decode(result.bytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw fail('the document is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw fail('the document is not a JSON object');
    const document = body as oauth.AuthorizationServer;
    if (document.issuer !== this.issuer) {
      throw new DiscoveryError(
        'issuer_mismatch',
        `the document at ${this.url} names issuer ${JSON.stringify(String(document.issuer).slice(0, 200))}, not the configured ${JSON.stringify(this.issuer)}`,
        this.url,
      );
    }
    for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
      const value = document[field];
      if (value !== undefined && !isHttpUrl(value)) throw fail(`"${field}" is not an http(s) URL`);
    }
    if (typeof document.jwks_uri !== 'string') throw fail('the document has no "jwks_uri"');
    return Object.freeze(document);
  }
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** One discovery client per issuer (and policy) per process or isolate, like remote key sets. */
const clients = new WeakMap<typeof fetch, Map<string, IssuerDiscovery>>();

export function getIssuerDiscovery(
  issuer: string,
  options: RemoteKeySetOptions,
  fetchImpl: typeof fetch,
): IssuerDiscovery {
  const key = [
    issuer,
    options.cacheMaxAgeMs,
    options.timeoutMs,
    options.maxBytes,
    options.retryAfterFailureMs,
  ].join(' ');
  let byIssuer = clients.get(fetchImpl);
  if (!byIssuer) {
    byIssuer = new Map();
    clients.set(fetchImpl, byIssuer);
  }
  let client = byIssuer.get(key);
  if (!client) {
    client = new IssuerDiscovery(issuer, options, fetchImpl);
    byIssuer.set(key, client);
  }
  return client;
}
