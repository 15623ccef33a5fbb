/**
 * One request as the exit saw it: the access-log line's fields, plus the matched route's
 * pattern (bounded cardinality, for metrics). Published on the telemetry's `accessLog` bus.
 */
export interface AccessLogEntry {
  /** The access-log line exactly as logged (requestId, method, path, route, status, durationMs, …). */
  readonly line: AccessLogLine;
  /** The matched route's path pattern (`/users/{id}`), or undefined when no route matched. */
  readonly routePattern: string | undefined;
  /** Seconds, with sub-millisecond precision (the line's durationMs follows the platform clock). */
  readonly durationSeconds: number;
}

/** The fields the gateway always sets, and the ones steps may add (see docs/OBSERVABILITY.md). */
export interface AccessLogLine {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  /** `METHOD PATH` of the matched route. */
  readonly route: string | undefined;
  readonly status: number;
  readonly durationMs: number;
  readonly client: string;
  readonly traceId?: string;
  readonly spanId?: string;
  /** The error catalogue key when the gateway produced the answer. */
  readonly code?: string;
  /** The authorizer a protected route used, and `'ok'` once it accepted the token. */
  readonly authorizer?: string;
  readonly auth?: string;
  /** The `servers[].alias` an http_proxy route called, how long the call took, what it answered. */
  readonly upstream?: string;
  readonly upstreamMs?: number;
  readonly upstreamStatus?: number;
  readonly [field: string]: unknown;
}
