import type { HealthCheckConfig, ServerConfig } from '../config/schema.js';
import { checked, configError, type Checked, type ConfigProblem } from '../config/problems.js';
import { GatewayError } from '../errors/gateway-error.js';
import { RetryBudget } from './retry.js';
import { DEFAULT_BREAKER_FAILURES, DEFAULT_BREAKER_OPEN_MS, UpstreamPool, type Outcome } from './pool.js';
import { checkServerUrl, selfBase, type UpstreamBase } from './upstream-url.js';

/** docs/CONFIG.md: `servers[].timeout_ms` defaults to 30 s. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;
/** docs/PROTOCOLS.md "Retries": a pool retries a failed attempt once on another URL by default. */
export const DEFAULT_POOL_RETRIES = 1;

/** A `servers[]` entry, compiled: where the next request goes, and what its outcome was. */
export interface CompiledServer {
  readonly alias: string;
  readonly timeoutMs: number;
  /** `http2: true`: the upstream client may speak HTTP/2 to it (docs/PROTOCOLS.md). */
  readonly http2: boolean;
  /**
   * The base URL for the next request; throws ERR_UPSTREAM_POOL_DOWN when a pool has none up.
   * `avoid` (a retry): the URL that just failed, not chosen again.
   */
  next(avoid?: UpstreamBase): UpstreamBase;
  /** Exactly once per `next()`: how the exchange with `base` ended (pools count it). */
  finish(base: UpstreamBase, outcome: Outcome): void;
  /** `retries` (default 0 on one URL, 1 on a pool) and their budget; see retry.ts. */
  readonly retries: number;
  readonly retryBudget?: RetryBudget;
  /** Several URLs: the pool, and its active health check when configured. */
  readonly pool?: UpstreamPool;
  readonly healthCheck?: HealthCheckConfig;
}

export interface ServerCompileOptions {
  readonly now?: () => number;
  /** This gateway's own origin, for URLs written as a path (Platform.selfOrigin). */
  readonly selfOrigin?: () => string | undefined;
}

/**
 * A `servers[]` entry whose URLs were checked and parsed (checkServer): either this gateway
 * itself (one URL written as a path) or one or more absolute bases.
 */
export type ServerPlan =
  | { readonly config: ServerConfig; readonly kind: 'self'; readonly path: string }
  | { readonly config: ServerConfig; readonly kind: 'bases'; readonly bases: readonly UpstreamBase[] };

/**
 * Checks and parses a `servers[]` entry in one pass (`pointer`: the entry's, `/servers/N`); the
 * plan is what buildServer turns into the running server, with no second parse.
 */
export function checkServer(config: ServerConfig, pointer: string): Checked<ServerPlan> {
  const raws = typeof config.url === 'string' ? [config.url] : config.url;
  const problems: ConfigProblem[] = [];
  const bases: UpstreamBase[] = [];
  let self: string | undefined;
  raws.forEach((raw, j) => {
    const at = typeof config.url === 'string' ? `${pointer}/url` : `${pointer}/url/${j}`;
    const result = checkServerUrl(raw);
    if ('problem' in result) problems.push(configError(at, result.problem));
    else if (result.url.kind === 'absolute') bases.push(result.url.base);
    else if (typeof config.url === 'string') self = result.url.path;
    // A pool rotates over bases known at compile time; the gateway's own origin is not one yet.
    else problems.push(configError(at, 'a pool of URLs must hold absolute URLs, not a path'));
  });
  return checked(problems, () =>
    self !== undefined ? { config, kind: 'self', path: self } : { config, kind: 'bases', bases },
  );
}

/** The running server of a checked plan: its pool, breaker and retry budget when it has several URLs. */
export function buildServer(plan: ServerPlan, options: ServerCompileOptions = {}): CompiledServer {
  const config = plan.config;
  if (plan.kind === 'self') return selfServer(config, plan.path, options);
  const timeoutMs = config.timeout_ms ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const http2 = config.http2 ?? false;
  const [only] = plan.bases;
  if (only !== undefined && plan.bases.length === 1) {
    // The common case costs nothing per request: no rotation, nowhere else to go.
    // A single URL has nowhere else to retry: `retries` does not apply.
    return { alias: config.alias, timeoutMs, http2, retries: 0, next: () => only, finish: () => undefined };
  }
  const pool = new UpstreamPool(config.alias, plan.bases, {
    balance: config.balance ?? 'round_robin',
    breakerFailures: config.circuit_breaker?.failures ?? DEFAULT_BREAKER_FAILURES,
    breakerOpenMs: config.circuit_breaker?.open_ms ?? DEFAULT_BREAKER_OPEN_MS,
    now: options.now ?? Date.now,
  });
  return {
    alias: config.alias,
    timeoutMs,
    http2,
    next: (avoid) => pool.next(avoid),
    finish: (base, outcome) => pool.finish(base, outcome),
    retries: config.retries ?? DEFAULT_POOL_RETRIES,
    retryBudget: new RetryBudget(options.now ?? Date.now),
    pool,
    ...(config.health_check ? { healthCheck: config.health_check } : {}),
  };
}

/** checkServer then buildServer, for callers holding a bare entry (tests): a bad URL throws. */
export function compileServer(config: ServerConfig, options: ServerCompileOptions = {}): CompiledServer {
  const { value, problems } = checkServer(config, '');
  if (value === undefined) throw new TypeError(problems.map((p) => p.message).join('; '));
  return buildServer(value, options);
}

/**
 * A server written as a path: its base is known once the gateway knows its own origin (after
 * listening), then computed once and reused. Until then there is nowhere to send the request.
 */
function selfServer(config: ServerConfig, path: string, options: ServerCompileOptions): CompiledServer {
  let base: UpstreamBase | undefined;
  return {
    alias: config.alias,
    timeoutMs: config.timeout_ms ?? DEFAULT_UPSTREAM_TIMEOUT_MS,
    http2: config.http2 ?? false,
    retries: 0,
    next: () => {
      if (base !== undefined) return base;
      const origin = options.selfOrigin?.();
      if (origin === undefined) {
        throw new GatewayError('ERR_UPSTREAM_UNAVAILABLE', {
          detail: { reason: 'server URL is a path and the gateway does not know its own origin yet' },
        });
      }
      base = selfBase(path, origin);
      return base;
    },
    finish: () => undefined,
  };
}
