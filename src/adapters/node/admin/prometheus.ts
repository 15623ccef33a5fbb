import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { CompiledGateway } from '../../../assembly/compile-gateway.js';
import {
  CounterCell,
  DURATION_BUCKETS,
  HistogramCell,
  RequestMetrics,
} from '../../../observability/request-metrics.js';
import type { Telemetry } from '../../../observability/telemetry.js';
import { configHash } from './config-hash.js';

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

export function createPrometheusMetrics(options: PrometheusOptions): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  // Request metrics accumulate in plain cells (observability/request-metrics.ts) and become
  // samples only when scraped: prom-client validates and hashes labels on every inc/observe,
  // which cost more per request than the rest of the metrics together.
  const requestMetrics = new RequestMetrics();
  registerCells(registry, {
    name: 'gatehouse_requests_total',
    help: 'Requests answered, by route pattern, method and status.',
    type: 'counter',
    cells: () => requestMetrics.requestCounters(),
  });
  registerCells(registry, {
    name: 'gatehouse_request_duration_seconds',
    help: 'Time from the request entering the gateway to its response headers, by route pattern, method and status class.',
    type: 'histogram',
    cells: () => requestMetrics.requestDurations(),
  });
  registerCells(registry, {
    name: 'gatehouse_upstream_duration_seconds',
    help: 'Upstream calls of http_proxy routes until response headers, by server alias and outcome.',
    type: 'histogram',
    cells: () => requestMetrics.upstreamDuration.values(),
  });
  registerCells(registry, {
    name: 'gatehouse_upstream_errors_total',
    help: 'Upstream calls answered by the gateway with 502 or 504, by server alias and error code.',
    type: 'counter',
    cells: () => requestMetrics.upstreamErrors.values(),
  });
  registerCells(registry, {
    name: 'gatehouse_auth_failures_total',
    help: 'Requests refused by a route authorizer, by authorizer and public error code.',
    type: 'counter',
    cells: () => requestMetrics.authFailures.values(),
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
  new Gauge({
    name: 'gatehouse_config_info',
    help: 'The config being served: a hash of its content and its route count (value always 1).',
    labelNames: ['hash', 'routes'] as const,
    registers,
    // Across `--workers N` (admin/cluster-admin.ts): one series, value 1, per config some worker
    // serves; two series while workers disagree (a reload reached one worker first).
    aggregator: 'max',
    collect() {
      const compiled = options.current();
      const hash = configHash(compiled);
      this.reset();
      this.labels(hash, String(compiled.config.paths.length)).set(1);
    },
  });
  const tracing = options.telemetry.tracing;
  if (tracing) {
    registerFamily(registry, {
      name: 'gatehouse_trace_spans_dropped_total',
      type: 'counter',
      help: 'Sampled spans not exported, by reason: queue_full (the export queue was full), export_failed (the collector refused the batch or did not answer).',
      values: () => [
        { labels: { reason: 'queue_full' }, value: tracing.queue.dropped },
        { labels: { reason: 'export_failed' }, value: tracing.failedSpans },
      ],
    });
  }
  registerCells(registry, {
    name: 'gatehouse_rate_limited_total',
    help: 'Requests refused with 429 by a rate-limit policy, by policy name.',
    type: 'counter',
    cells: () => requestMetrics.rateLimited.values(),
  });
  for (const reason of ['ok', 'refused']) reloads.labels(reason).inc(0);
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // Gauges named like counters fail `promtool check metrics`; their per-type siblings
    // (nodejs_active_handles{type}, …) carry the same numbers.
    for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  }

  const unsubscribe = [
    options.telemetry.accessLog.subscribe((entry) => requestMetrics.record(entry)),
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

interface CellFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  cells(): Iterable<CounterCell | HistogramCell>;
}

interface Sample {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
}

/**
 * Registers a family whose samples are read at scrape time (from cells, or from an object that
 * keeps the value). The registry formats it like its own metrics (it only calls `get()`), so
 * HELP/TYPE lines and label escaping are prom-client's.
 */
function registerFamily(
  registry: Registry,
  family: { name: string; help: string; type: 'counter' | 'histogram'; values: () => Sample[] },
): void {
  const { name, help, type } = family;
  const get = () => Promise.resolve({ name, help, type, aggregator: 'sum', values: family.values() });
  registry.registerMetric({
    name,
    help,
    type,
    aggregator: 'sum',
    get,
    reset: () => undefined,
  } as unknown as Metric);
}

function registerCells(registry: Registry, family: CellFamily): void {
  registerFamily(registry, { ...family, values: () => samplesOf(family) });
}

function samplesOf(family: CellFamily): Sample[] {
  const samples: Sample[] = [];
  for (const cell of family.cells()) {
    if (cell instanceof CounterCell) {
      samples.push({ value: cell.value, labels: cell.labels });
      continue;
    }
    let cumulative = 0;
    DURATION_BUCKETS.forEach((le, i) => {
      cumulative += cell.counts[i] as number;
      samples.push({
        metricName: `${family.name}_bucket`,
        value: cumulative,
        labels: { ...cell.labels, le },
      });
    });
    samples.push({
      metricName: `${family.name}_bucket`,
      value: cell.count,
      labels: { ...cell.labels, le: '+Inf' },
    });
    samples.push({ metricName: `${family.name}_sum`, value: cell.sum, labels: cell.labels });
    samples.push({ metricName: `${family.name}_count`, value: cell.count, labels: cell.labels });
  }
  return samples;
}
