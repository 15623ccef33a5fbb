import { describe, expect, it } from 'vitest';
import type { AccessLogEntry } from '../observability/access-log.js';
import { DURATION_BUCKETS, HistogramCell } from '../observability/request-metrics.js';
import { BUCKET_SECONDS, quantileMs, TAIL_SIZE, TrafficRecorder, WINDOW_BUCKETS } from './traffic.js';

function entry(route: string | undefined, status: number, seconds: number, extra = {}): AccessLogEntry {
  return {
    line: {
      requestId: Math.random().toString(36),
      method: 'GET',
      path: '/x',
      route,
      status,
      durationMs: seconds * 1000,
      client: '127.0.0.1',
      ...extra,
    },
    routePattern: route?.split(' ')[1],
    durationSeconds: seconds,
  };
}

describe('console traffic window', () => {
  it('interpolates quantiles inside the histogram bucket, as histogram_quantile does', () => {
    const cell = new HistogramCell({}, DURATION_BUCKETS.length);
    for (let i = 0; i < 100; i++) cell.observe(0.003, DURATION_BUCKETS); // all in (0.0025, 0.005]
    expect(quantileMs(cell, 0.5)).toBeCloseTo(3.75, 5);
    expect(quantileMs(cell, 0.99)).toBeCloseTo(2.5 + 2.5 * 0.99, 5);
    expect(quantileMs(new HistogramCell({}, DURATION_BUCKETS.length), 0.5)).toBeNull();
  });

  it('counts per route and status class in 10 s buckets and forgets what is older than 15 minutes', () => {
    const recorder = new TrafficRecorder();
    const t0 = 1_000_000_000_000;
    recorder.record(entry('GET /a', 200, 0.01), t0);
    recorder.record(entry('GET /a', 401, 0.001), t0 + 1000);
    recorder.record(entry(undefined, 404, 0.001), t0 + 2000);
    let snapshot = recorder.snapshot(t0 + 2000);
    expect(snapshot.times).toHaveLength(WINDOW_BUCKETS);
    const a = snapshot.routes.find((r) => r.route === 'GET /a');
    expect(a?.total).toBe(2);
    expect(a?.status['2xx'].at(-1)).toBe(1);
    expect(a?.status['4xx'].at(-1)).toBe(1);
    expect(a?.rate.at(-1)).toBe(2 / BUCKET_SECONDS);
    expect(snapshot.routes.map((r) => r.route)).toEqual(['(none)', 'GET /a']);

    const later = t0 + WINDOW_BUCKETS * BUCKET_SECONDS * 1000 + 1;
    recorder.record(entry('GET /b', 200, 0.01), later);
    snapshot = recorder.snapshot(later);
    expect(snapshot.routes.map((r) => r.route)).toEqual(['GET /b']);
  });

  it('keeps the last entries for the tail, with the failed check but never more of the line', () => {
    const recorder = new TrafficRecorder();
    for (let i = 0; i < TAIL_SIZE + 5; i++) recorder.record(entry('GET /a', 200, 0.001), i);
    recorder.record(
      entry('GET /a', 401, 0.001, {
        code: 'ERR_JWT_EXPIRED',
        detail: { check: 'exp', message: 'token expired 5 s ago' },
        secretish: 'not shown',
      }),
      9999,
    );
    const recent = recorder.snapshot(10_000).recent;
    const failed = recent.at(-1);
    expect(failed).toMatchObject({
      status: 401,
      code: 'ERR_JWT_EXPIRED',
      check: 'exp',
      reason: 'token expired 5 s ago',
    });
    expect(JSON.stringify(failed)).not.toContain('not shown');
    expect(recent).toHaveLength(TAIL_SIZE);
    expect(failed?.at).toBe(9999);
    expect(recent.map((e) => e.at)).toEqual([...recent.map((e) => e.at)].sort((a, b) => a - b));
  });
});
