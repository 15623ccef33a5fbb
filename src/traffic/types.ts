/** The shapes shared by the rate-limit algorithm, the stores and the pipeline steps (docs/TRAFFIC.md). */

/** What a policy allows: `limit` requests per `windowMs` (GCRA: a burst of `limit`, refilled evenly). */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
}

/** One store's answer for one bucket. */
export interface Decision {
  readonly allowed: boolean;
  /**
   * Requests still admitted right now after this one (0 when refused); undefined when the store
   * cannot tell (Cloudflare's rate-limiting binding), and then the RateLimit field omits the policy.
   */
  readonly remaining: number | undefined;
  /** Milliseconds until the bucket is back to its full `limit` (the RateLimit `t` parameter). */
  readonly resetMs: number;
  /** When refused: milliseconds until one request would be admitted (Retry-After). */
  readonly retryAfterMs: number;
}

/**
 * Where counts live. `check` counts the request in `key`'s bucket when it is admitted (a refused
 * request costs nothing). Synchronous where the store is in memory, so a limited static route
 * stays synchronous; a remote store resolves within its own timeout or rejects.
 */
export interface RateLimitStore {
  /** `memory`, `redis`, `durable_object`, `workers_ratelimit`: for logs. */
  readonly type: string;
  /** What a failed check means (`gateway.rate_limit_store.on_error`): admit, or 503. */
  readonly onError: 'allow' | 'deny';
  check(key: string, rate: Rate): Decision | Promise<Decision>;
  /**
   * Whether the store answers now, for readiness (`/readyz`, docs/OBSERVABILITY.md). A store that
   * lives in the process (memory) has none: it is always ready.
   */
  probe?(): Promise<{ readonly ready: boolean; readonly detail?: string }>;
  /** Releases connections (Node: at shutdown). */
  close?(): Promise<void>;
}

/** One policy a request was counted against, for the RateLimit fields of its response. */
export interface RateLimitOutcome {
  readonly quotedName: string;
  readonly policyItem: string;
  readonly decision: Decision;
}
