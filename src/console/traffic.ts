import type { AccessLogEntry } from '../observability/access-log.js';
import { NO_ROUTE } from '../observability/request-facts.js';
import { DURATION_BUCKETS, HistogramCell } from '../observability/request-metrics.js';
import { TailRing, type TailEntry } from './tail-ring.js';

/**
 * What the console's "Live traffic" view reads (docs/CONSOLE.md): the latest access-log entries
 * for the tail, and per-route series over the last 15 minutes in 10-second buckets — request
 * rate, status mix and a latency histogram per bucket (the metrics' own histogram cells and
 * buckets, so p50/p99 are computed the way Prometheus' histogram_quantile would).
 */
export const BUCKET_SECONDS = 10;
export const WINDOW_BUCKETS = 90;
export const TAIL_SIZE = 500;
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

class RouteBucket {
  count = 0;
  readonly statuses = [0, 0, 0, 0, 0];
  readonly latency = new HistogramCell({}, DURATION_BUCKETS.length);
}

interface Bucket {
  readonly start: number;
  readonly routes: Map<string, RouteBucket>;
}

export interface RouteSeries {
  readonly route: string;
  /** Requests per second in each bucket. */
  readonly rate: number[];
  /** Milliseconds; null where the bucket had no request. */
  readonly p50: (number | null)[];
  readonly p99: (number | null)[];
  /** Requests per bucket by status class. */
  readonly status: Record<(typeof STATUS_CLASSES)[number], number[]>;
  readonly total: number;
}

export interface TrafficSnapshot {
  readonly bucketSeconds: number;
  /** Start of each bucket, epoch seconds, oldest first. */
  readonly times: number[];
  readonly routes: RouteSeries[];
  readonly recent: TailEntry[];
}

export class TrafficRecorder {
  readonly #buckets: Bucket[] = [];
  /**
   * The last TAIL_SIZE requests. Tail entries are built only when read (a snapshot, a connected
   * live feed): building one per request was the console's largest cost on the request path.
   */
  readonly #recent = new TailRing(TAIL_SIZE);

  record(entry: AccessLogEntry, now: number): void {
    this.#recent.record(entry, now);
    const bucket = this.#bucketAt(now);
    const key = entry.line.route ?? NO_ROUTE;
    let cell = bucket.routes.get(key);
    if (!cell) {
      cell = new RouteBucket();
      bucket.routes.set(key, cell);
    }
    cell.count++;
    const statusClass = Math.min(Math.max(Math.floor(entry.line.status / 100), 1), 5) - 1;
    cell.statuses[statusClass] = (cell.statuses[statusClass] as number) + 1;
    cell.latency.observe(entry.durationSeconds, DURATION_BUCKETS);
  }

  snapshot(now: number): TrafficSnapshot {
    const last = bucketStart(now);
    const times: number[] = [];
    for (let i = WINDOW_BUCKETS - 1; i >= 0; i--) times.push((last - i * BUCKET_SECONDS * 1000) / 1000);
    const byStart = new Map(this.#buckets.map((b) => [b.start / 1000, b]));
    const names = new Set<string>();
    for (const bucket of this.#buckets) for (const name of bucket.routes.keys()) names.add(name);
    const routes = [...names].sort().map((route): RouteSeries => {
      const series: RouteSeries = {
        route,
        rate: [],
        p50: [],
        p99: [],
        status: { '1xx': [], '2xx': [], '3xx': [], '4xx': [], '5xx': [] },
        total: 0,
      };
      for (const time of times) {
        const cell = byStart.get(time)?.routes.get(route);
        series.rate.push(cell ? cell.count / BUCKET_SECONDS : 0);
        series.p50.push(cell ? quantileMs(cell.latency, 0.5) : null);
        series.p99.push(cell ? quantileMs(cell.latency, 0.99) : null);
        STATUS_CLASSES.forEach((name, i) =>
          series.status[name].push(cell ? (cell.statuses[i] as number) : 0),
        );
        (series as { total: number }).total += cell?.count ?? 0;
      }
      return series;
    });
    return { bucketSeconds: BUCKET_SECONDS, times, routes, recent: this.#recent.entries() };
  }

  #bucketAt(now: number): Bucket {
    const start = bucketStart(now);
    const newest = this.#buckets[this.#buckets.length - 1];
    if (newest && newest.start === start) return newest;
    const bucket: Bucket = { start, routes: new Map() };
    this.#buckets.push(bucket);
    const oldest = start - (WINDOW_BUCKETS - 1) * BUCKET_SECONDS * 1000;
    while (this.#buckets.length > 0 && (this.#buckets[0] as Bucket).start < oldest) this.#buckets.shift();
    return bucket;
  }
}

function bucketStart(now: number): number {
  return Math.floor(now / (BUCKET_SECONDS * 1000)) * BUCKET_SECONDS * 1000;
}

/**
 * The q-quantile of a histogram in milliseconds, interpolated linearly inside the bucket that
 * holds it (Prometheus' histogram_quantile); the +Inf bucket answers its lower bound.
 */
export function quantileMs(cell: HistogramCell, q: number): number | null {
  if (cell.count === 0) return null;
  const rank = q * cell.count;
  let cumulative = 0;
  for (let i = 0; i < cell.counts.length; i++) {
    const inBucket = cell.counts[i] as number;
    if (cumulative + inBucket >= rank && inBucket > 0) {
      const lower = i === 0 ? 0 : (DURATION_BUCKETS[i - 1] as number);
      const upper = DURATION_BUCKETS[i];
      if (upper === undefined) return lower * 1000;
      return (lower + (upper - lower) * ((rank - cumulative) / inBucket)) * 1000;
    }
    cumulative += inBucket;
  }
  return (DURATION_BUCKETS[DURATION_BUCKETS.length - 1] as number) * 1000;
}
