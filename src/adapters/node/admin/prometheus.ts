import { createHash } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CompiledGateway } from '../../../config/compile.js';
import type { AccessLogEntry } from '../../../observability/access-log.js';
import {
  authFailure,
  NO_ROUTE,
  publicErrorCode,
  statusClass,
  upstreamOutcome,
} from '../../../observability/request-facts.js';
import type { Telemetry } from '../../../observability/telemetry.js';

/**
 * The Prometheus metrics of a Node gateway (prom-client), fed by the telemetry's event buses.
 * Every metric and label: docs/OBSERVABILITY.md "Metrics". Labels are bounded: `route` is the
 * route pattern (or `(none)`), codes come from the error catalogue, servers and authorizers
 * from the config.
 */
export interface PrometheusMetrics {
  readonly registry: Registry;
  /** The text exposition, for `GET /metrics`. */
  handle(): Promise<Response>;
  /** Unsubscribes from the buses (the registry stays readable). */
  close(): void;
}

export interface PrometheusOptions {
  readonly telemetry: Telemetry;
  readonly inFlight: () => number;
  readonly current: () => CompiledGateway;
  /** The default process metrics (CPU, memory, event loop, GC); on in the CLI. */
  readonly defaultMetrics?: boolean;
}

const MISNAMED_DEFAULT_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createPrometheusMetrics(options: PrometheusOptions): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'gatehouse_requests_total',
    help: 'Requests answered, by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'gatehouse_request_duration_seconds',
    help: 'Time from the request entering the gateway to its response headers, by route pattern, method and status class.',
    labelNames: ['route', 'method', 'status_class'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'gatehouse_upstream_duration_seconds',
    help: 'Upstream calls of http_proxy routes until response headers, by server alias and outcome.',
    labelNames: ['server', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const upstreamErrors = new Counter({
    name: 'gatehouse_upstream_errors_total',
    help: 'Upstream calls answered by the gateway with 502 or 504, by server alias and error code.',
    labelNames: ['server', 'code'] as const,
    registers,
  });
  const authFailures = new Counter({
    name: 'gatehouse_auth_failures_total',
    help: 'Requests refused by a route authorizer, by authorizer and public error code.',
    labelNames: ['authorizer', 'code'] as const,
    registers,
  });
  const keySetFetches = new Counter({
    name: 'gatehouse_key_set_fetches_total',
    help: 'Remote key set (jwks_uri) fetches, by authorizer and outcome.',
    labelNames: ['authorizer', 'outcome'] as const,
    registers,
  });
  new Gauge({
    name: 'gatehouse_in_flight_requests',
    help: 'Requests being answered now.',
    registers,
    collect() {
      this.set(options.inFlight());
    },
  });
  const reloads = new Counter({
    name: 'gatehouse_config_reloads_total',
    help: 'Config reload attempts of the running gateway, by outcome (ok, refused).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const configHashes = new WeakMap<CompiledGateway, string>();
  new Gauge({
    name: 'gatehouse_config_info',
    help: 'The config being served: a hash of its content and its route count (value always 1).',
    labelNames: ['hash', 'routes'] as const,
    registers,
    collect() {
      const compiled = options.current();
      let hash = configHashes.get(compiled);
      if (hash === undefined) {
        hash = createHash('sha256').update(JSON.stringify(compiled.config)).digest('hex').slice(0, 12);
        configHashes.set(compiled, hash);
      }
      this.reset();
      this.labels(hash, String(compiled.config.paths.length)).set(1);
    },
  });
  // HOOK(traffic control): `gatehouse_rate_limited_total{policy}` is registered here when rate
  // limiting lands; its step publishes the policy name on the access-log line as `rateLimited`.
  for (const reason of ['ok', 'refused']) reloads.labels(reason).inc(0);
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // Gauges named like counters fail `promtool check metrics`; their per-type siblings
    // (nodejs_active_handles{type}, …) carry the same numbers.
    for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  }

  // Label children are looked up once per distinct label set, not hashed by prom-client per request.
  const requestChildren = new Map<string, ReturnType<typeof requests.labels>>();
  const durationChildren = new Map<string, ReturnType<typeof duration.labels>>();
  const onRequest = ({ line, routePattern, durationSeconds }: AccessLogEntry): void => {
    const route = routePattern ?? NO_ROUTE;
    const key = `${route}\u0000${line.method}\u0000${line.status}`;
    let counter = requestChildren.get(key);
    if (counter === undefined) {
      counter = requests.labels(route, line.method, String(line.status));
      requestChildren.set(key, counter);
    }
    counter.inc();
    const classKey = `${route}\u0000${line.method}\u0000${Math.floor(line.status / 100)}`;
    let histogram = durationChildren.get(classKey);
    if (histogram === undefined) {
      histogram = duration.labels(route, line.method, statusClass(line.status));
      durationChildren.set(classKey, histogram);
    }
    histogram.observe(durationSeconds);
    if (line.upstream !== undefined) {
      const outcome = upstreamOutcome(line);
      if (outcome !== undefined) {
        upstreamDuration.labels(line.upstream, outcome).observe((line.upstreamMs ?? 0) / 1000);
        if (outcome === 'timeout' || outcome === 'unavailable') {
          upstreamErrors.labels(line.upstream, publicErrorCode(line.code as string)).inc();
        }
      }
    }
    if (line.authorizer !== undefined) {
      const failure = authFailure(line);
      if (failure) authFailures.labels(failure.authorizer, failure.code).inc();
    }
  };
  const unsubscribe = [
    options.telemetry.accessLog.subscribe(onRequest),
    options.telemetry.keySetFetches.subscribe(({ authorizer, outcome }) =>
      keySetFetches.labels(authorizer, outcome).inc(),
    ),
    options.telemetry.configReloads.subscribe(({ outcome }) => reloads.labels(outcome).inc()),
  ];

  return {
    registry,
    async handle() {
      return new Response(await registry.metrics(), {
        headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' },
      });
    },
    close() {
      for (const stop of unsubscribe) stop();
    },
  };
}
