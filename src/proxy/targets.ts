import type { ServerConfig } from '../config/schema.js';
import { compileUpstreamBase, type UpstreamBase } from './upstream-url.js';

/** docs/CONFIG.md: `servers[].timeout_ms` defaults to 30 s. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;
/** How long a URL that failed is skipped. */
export const DEFAULT_EJECTION_MS = 10_000;

/** A `servers[]` entry, compiled: where the next request goes, and what to do when it fails. */
export interface CompiledServer {
  readonly alias: string;
  readonly timeoutMs: number;
  /** `http2: true`: the upstream client may speak HTTP/2 to it (docs/PROTOCOLS.md). */
  readonly http2: boolean;
  /** The base URL for the next request. */
  next(): UpstreamBase;
  /** The upstream at `base` could not be reached: skip it for a while (passive ejection). */
  reportFailure(base: UpstreamBase): void;
}

export interface ServerCompileOptions {
  readonly now?: () => number;
  readonly ejectionMs?: number;
}

/** Compiles a `servers[]` entry whose URLs lintServerUrl accepted (config/lint.ts). */
export function compileServer(config: ServerConfig, options: ServerCompileOptions = {}): CompiledServer {
  const bases = (typeof config.url === 'string' ? [config.url] : config.url).map((url) =>
    compileUpstreamBase(url),
  );
  const timeoutMs = config.timeout_ms ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const http2 = config.http2 ?? false;
  const [only] = bases;
  if (only !== undefined && bases.length === 1) {
    // The common case costs nothing per request: no rotation, nowhere else to go.
    return { alias: config.alias, timeoutMs, http2, next: () => only, reportFailure: () => undefined };
  }
  const now = options.now ?? Date.now;
  return new RoundRobin(
    config.alias,
    timeoutMs,
    http2,
    bases,
    now,
    options.ejectionMs ?? DEFAULT_EJECTION_MS,
  );
}

/**
 * Round-robin over several URLs. A URL that failed is skipped until its cooldown ends; when
 * every URL is ejected, plain rotation resumes (trying is better than refusing every request).
 * Timeouts do not eject: a slow upstream is not a dead one, and ejecting on load would push
 * all of it onto the remaining URLs.
 */
class RoundRobin implements CompiledServer {
  private cursor = 0;
  /** Per URL: time until which it is skipped (0 = healthy). */
  private readonly ejectedUntil: number[];
  private ejectedCount = 0;

  constructor(
    readonly alias: string,
    readonly timeoutMs: number,
    readonly http2: boolean,
    private readonly bases: readonly UpstreamBase[],
    private readonly now: () => number,
    private readonly ejectionMs: number,
  ) {
    this.ejectedUntil = bases.map(() => 0);
  }

  next(): UpstreamBase {
    const count = this.bases.length;
    const now = this.ejectedCount === 0 ? 0 : this.now();
    for (let tried = 0; tried < count; tried++) {
      const index = this.advance();
      if (this.isAvailable(index, now)) return this.bases[index] as UpstreamBase;
    }
    return this.bases[this.advance()] as UpstreamBase;
  }

  reportFailure(base: UpstreamBase): void {
    const index = this.bases.indexOf(base);
    if (index === -1) return;
    if (this.ejectedUntil[index] === 0) this.ejectedCount++;
    this.ejectedUntil[index] = this.now() + this.ejectionMs;
  }

  private advance(): number {
    const index = this.cursor;
    this.cursor = index + 1 === this.bases.length ? 0 : index + 1;
    return index;
  }

  private isAvailable(index: number, now: number): boolean {
    const until = this.ejectedUntil[index] ?? 0;
    if (until === 0) return true;
    if (until > now) return false;
    this.ejectedUntil[index] = 0;
    this.ejectedCount--;
    return true;
  }
}
