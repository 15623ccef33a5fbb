import type { AccessLogEntry } from './access-log.js';
import { authOutcome, NO_ROUTE, statusClass } from './request-facts.js';

/**
 * The part of a Workers Analytics Engine dataset binding this writer uses
 * (`env.GATEHOUSE_ANALYTICS.writeDataPoint`); declared here so the core needs no Workers types.
 */
export interface AnalyticsEngineDataset {
  writeDataPoint(point: { blobs?: string[]; doubles?: number[]; indexes?: string[] }): void;
}

export function isAnalyticsEngineDataset(value: unknown): value is AnalyticsEngineDataset {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { writeDataPoint?: unknown }).writeDataPoint === 'function'
  );
}

/**
 * One data point per request (docs/OBSERVABILITY.md "Workers Analytics Engine"), in a fixed
 * layout the example queries rely on:
 *   blob1 route pattern (or `(none)`), blob2 method, blob3 status class, blob4 auth outcome
 *   (`ok`, a public error code, or `none`), blob5 error code (or empty), blob6 upstream alias
 *   (or empty); double1 status, double2 duration in ms, double3 upstream ms (0 when none);
 *   index1 the route pattern (the sampling key).
 */
export function analyticsDataPoint({ line, routePattern, durationSeconds }: AccessLogEntry): {
  blobs: string[];
  doubles: number[];
  indexes: string[];
} {
  const route = routePattern ?? NO_ROUTE;
  return {
    blobs: [
      route,
      line.method,
      statusClass(line.status),
      authOutcome(line),
      typeof line.code === 'string' ? line.code : '',
      line.upstream ?? '',
    ],
    doubles: [line.status, Math.round(durationSeconds * 100_000) / 100, line.upstreamMs ?? 0],
    indexes: [route],
  };
}

/** Subscribes a dataset to the access-log bus; a failing write never affects a request. */
export function writeRequestsTo(
  dataset: AnalyticsEngineDataset,
  subscribe: (listener: (entry: AccessLogEntry) => void) => () => void,
): () => void {
  return subscribe((entry) => dataset.writeDataPoint(analyticsDataPoint(entry)));
}
