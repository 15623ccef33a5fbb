import type { HealthCheckConfig, ServerConfig } from '../config/schema.js';
import { DEFAULT_BREAKER_FAILURES, DEFAULT_BREAKER_OPEN_MS, UpstreamPool, type Outcome } from './pool.js';
import { compileUpstreamBase, type UpstreamBase } from './upstream-url.js';

/** docs/CONFIG.md: `servers[].timeout_ms` defaults to 30 s. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;
/** A `servers[]` entry, compiled: where the next request goes, and what its outcome was. */
export interface CompiledServer {
  readonly alias: string;
  readonly timeoutMs: number;
  /** `http2: true`: the upstream client may speak HTTP/2 to it (docs/PROTOCOLS.md). */
  readonly http2: boolean;
  /** The base URL for the next request; throws ERR_UPSTREAM_POOL_DOWN when a pool has none up. */
  next(): UpstreamBase;
  /** Exactly once per `next()`: how the exchange with `base` ended (pools count it). */
  finish(base: UpstreamBase, outcome: Outcome): void;
  /** Several URLs: the pool, and its active health check when configured. */
  readonly pool?: UpstreamPool;
  readonly healthCheck?: HealthCheckConfig;
}

export interface ServerCompileOptions {
  readonly now?: () => number;
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
    return { alias: config.alias, timeoutMs, http2, next: () => only, finish: () => undefined };
  }
  const pool = new UpstreamPool(config.alias, bases, {
    balance: config.balance ?? 'round_robin',
    breakerFailures: config.circuit_breaker?.failures ?? DEFAULT_BREAKER_FAILURES,
    breakerOpenMs: config.circuit_breaker?.open_ms ?? DEFAULT_BREAKER_OPEN_MS,
    now: options.now ?? Date.now,
  });
  return {
    alias: config.alias,
    timeoutMs,
    http2,
    next: () => pool.next(),
    finish: (base, outcome) => pool.finish(base, outcome),
    pool,
    ...(config.health_check ? { healthCheck: config.health_check } : {}),
  };
}
