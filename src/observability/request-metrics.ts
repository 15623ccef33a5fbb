import type { AccessLogEntry } from './access-log.js';
import { authFailure, NO_ROUTE, publicErrorCode, upstreamOutcome } from './request-facts.js';

/**
 * Per-request metric aggregation, cheap enough for every request: plain numbers in cells found
 * through nested Maps (route → method → status), no label validation or hashing per request. A
 * client library (prom-client on Node) turns the cells into an exposition only when scraped. The
 * label sets are those of docs/OBSERVABILITY.md "Metrics".
 */
export const DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export class CounterCell {
  value = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}
}

export class HistogramCell {
  /** Observations per bucket, not cumulative; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Readonly<Record<string, string>>,
    bucketCount: number,
  ) {
    this.counts = new Float64Array(bucketCount + 1);
  }

  observe(value: number, bounds: readonly number[]): void {
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

/** Cells by a joined label key, for series that change rarely per request (failures, fetches). */
export class LabeledCells<C> {
  readonly #cells = new Map<string, C>();
  constructor(private readonly make: (labels: Record<string, string>) => C) {}

  get(names: readonly string[], values: readonly string[]): C {
    const key = values.join('\u0000');
    let cell = this.#cells.get(key);
    if (cell === undefined) {
      const labels: Record<string, string> = {};
      names.forEach((name, i) => (labels[name] = values[i] as string));
      cell = this.make(labels);
      this.#cells.set(key, cell);
    }
    return cell;
  }

  values(): IterableIterator<C> {
    return this.#cells.values();
  }
}

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

/** One route × method: its status counters and its status-class histograms. */
class RouteMethodCells {
  readonly byStatus = new Map<number, CounterCell>();
  readonly byClass: (HistogramCell | undefined)[] = [];
  constructor(
    readonly route: string,
    readonly method: string,
  ) {}
}

export class RequestMetrics {
  readonly #routes = new Map<string, Map<string, RouteMethodCells>>();
  readonly upstreamDuration = new LabeledCells(
    (labels) => new HistogramCell(labels, DURATION_BUCKETS.length),
  );
  readonly upstreamErrors = new LabeledCells((labels) => new CounterCell(labels));
  readonly authFailures = new LabeledCells((labels) => new CounterCell(labels));
  readonly rateLimited = new LabeledCells((labels) => new CounterCell(labels));
  /** The upstreamDuration cells by server, then outcome. */
  readonly #upstreamCells = new Map<string, Map<string, HistogramCell>>();

  record({ line, routePattern, durationSeconds }: AccessLogEntry): void {
    const route = routePattern ?? NO_ROUTE;
    let byMethod = this.#routes.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.#routes.set(route, byMethod);
    }
    const method = line.method;
    let cells = byMethod.get(method);
    if (cells === undefined) {
      cells = new RouteMethodCells(route, method);
      byMethod.set(method, cells);
    }
    const status = line.status;
    let counter = cells.byStatus.get(status);
    if (counter === undefined) {
      counter = new CounterCell({ route, method, status: String(status) });
      cells.byStatus.set(status, counter);
    }
    counter.value++;
    const statusClass = Math.min(Math.floor(status / 100), 5);
    let histogram = cells.byClass[statusClass];
    if (histogram === undefined) {
      histogram = new HistogramCell(
        { route, method, status_class: STATUS_CLASSES[statusClass] as string },
        DURATION_BUCKETS.length,
      );
      cells.byClass[statusClass] = histogram;
    }
    histogram.observe(durationSeconds, DURATION_BUCKETS);

    if (line.upstream !== undefined) this.#recordUpstream(line);
    // The traffic-control step names the policy that refused the request (src/traffic/steps.ts).
    const rateLimit = line.rateLimit as { policy?: unknown; outcome?: unknown } | undefined;
    if (rateLimit?.outcome === 'limited' && typeof rateLimit.policy === 'string') {
      this.rateLimited.get(POLICY_LABELS, [rateLimit.policy]).value++;
    }
    if (line.authorizer !== undefined && line.code !== undefined) {
      const failure = authFailure(line);
      if (failure) this.authFailures.get(AUTH_LABELS, [failure.authorizer, failure.code]).value++;
    }
  }

  #recordUpstream(line: AccessLogEntry['line']): void {
    const outcome = upstreamOutcome(line);
    if (outcome === undefined) return;
    const server = line.upstream as string;
    // Found through two Maps by the label values: no label array or joined key per request.
    let byOutcome = this.#upstreamCells.get(server);
    if (byOutcome === undefined) {
      byOutcome = new Map();
      this.#upstreamCells.set(server, byOutcome);
    }
    let cell = byOutcome.get(outcome);
    if (cell === undefined) {
      cell = this.upstreamDuration.get(UPSTREAM_LABELS, [server, outcome]);
      byOutcome.set(outcome, cell);
    }
    cell.observe((line.upstreamMs ?? 0) / 1000, DURATION_BUCKETS);
    if (outcome === 'timeout' || outcome === 'unavailable') {
      this.upstreamErrors.get(UPSTREAM_ERROR_LABELS, [server, publicErrorCode(line.code as string)]).value++;
    }
  }

  /** Every request counter cell (route, method, status). */
  *requestCounters(): IterableIterator<CounterCell> {
    for (const byMethod of this.#routes.values()) {
      for (const cells of byMethod.values()) yield* cells.byStatus.values();
    }
  }

  /** Every request duration cell (route, method, status_class). */
  *requestDurations(): IterableIterator<HistogramCell> {
    for (const byMethod of this.#routes.values()) {
      for (const cells of byMethod.values()) {
        for (const cell of cells.byClass) if (cell !== undefined) yield cell;
      }
    }
  }
}

const AUTH_LABELS = ['authorizer', 'code'];
const POLICY_LABELS = ['policy'];
const UPSTREAM_LABELS = ['server', 'outcome'];
const UPSTREAM_ERROR_LABELS = ['server', 'code'];
