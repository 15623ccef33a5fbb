import { describe, expect, it } from 'vitest';
import type { AccessLogEntry } from './access-log.js';
import { DURATION_BUCKETS, HistogramCell, RequestMetrics } from './request-metrics.js';

const entry = (
  line: Partial<AccessLogEntry['line']>,
  routePattern?: string,
  seconds = 0.002,
): AccessLogEntry => ({
  line: {
    requestId: 'r',
    method: 'GET',
    path: '/',
    route: undefined,
    status: 200,
    durationMs: 2,
    client: 'c',
    ...line,
  },
  routePattern,
  durationSeconds: seconds,
});

describe('request metric cells', () => {
  it('a histogram bucket includes its upper bound (Prometheus `le`)', () => {
    const cell = new HistogramCell({}, DURATION_BUCKETS.length);
    cell.observe(0.001, DURATION_BUCKETS);
    cell.observe(0.0011, DURATION_BUCKETS);
    cell.observe(100, DURATION_BUCKETS);
    expect(cell.counts[0]).toBe(1);
    expect(cell.counts[1]).toBe(1);
    expect(cell.counts[DURATION_BUCKETS.length]).toBe(1);
    expect(cell.count).toBe(3);
    expect(cell.sum).toBeCloseTo(100.0021);
  });

  it('counts by route pattern, method and status; (none) without a route; durations by status class', () => {
    const metrics = new RequestMetrics();
    metrics.record(entry({}, '/a'));
    metrics.record(entry({}, '/a'));
    metrics.record(entry({ status: 404, code: 'ERR_NO_ROUTE' }));
    metrics.record(entry({ status: 599 }, '/a'));
    metrics.record(entry({ status: 500 }, '/a'));
    expect([...metrics.requestCounters()].map((c) => [c.labels, c.value])).toEqual([
      [{ route: '/a', method: 'GET', status: '200' }, 2],
      [{ route: '/a', method: 'GET', status: '599' }, 1],
      [{ route: '/a', method: 'GET', status: '500' }, 1],
      [{ route: '(none)', method: 'GET', status: '404' }, 1],
    ]);
    expect([...metrics.requestDurations()].map((c) => [c.labels.status_class, c.count])).toEqual([
      ['2xx', 2],
      ['5xx', 2],
      ['4xx', 1],
    ]);
  });

  it('upstream outcomes and errors, and auth failures by public code', () => {
    const metrics = new RequestMetrics();
    metrics.record(entry({ upstream: 'api', upstreamMs: 5, upstreamStatus: 503, status: 503 }, '/p'));
    metrics.record(
      entry({ upstream: 'api', upstreamMs: 150, status: 504, code: 'ERR_UPSTREAM_TIMEOUT' }, '/p'),
    );
    metrics.record(entry({ authorizer: 'hs', status: 401, code: 'AUTH_VERIFICATION_FAILED' }, '/s'));
    metrics.record(
      entry({ authorizer: 'hs', auth: 'ok', status: 403, code: 'ERR_INSUFFICIENT_SCOPE' }, '/s'),
    );
    // An upstream's own 401 behind a protected route is not an auth failure.
    metrics.record(
      entry(
        { authorizer: 'hs', auth: 'ok', status: 401, upstream: 'api', upstreamMs: 1, upstreamStatus: 401 },
        '/s',
      ),
    );
    expect([...metrics.upstreamDuration.values()].map((c) => [c.labels, c.count])).toEqual([
      [{ server: 'api', outcome: 'response' }, 2],
      [{ server: 'api', outcome: 'timeout' }, 1],
    ]);
    expect([...metrics.upstreamErrors.values()].map((c) => [c.labels, c.value])).toEqual([
      [{ server: 'api', code: 'ERR_UPSTREAM_TIMEOUT' }, 1],
    ]);
    expect([...metrics.authFailures.values()].map((c) => [c.labels, c.value])).toEqual([
      [{ authorizer: 'hs', code: 'AUTH_ERROR' }, 1],
      [{ authorizer: 'hs', code: 'ERR_INSUFFICIENT_SCOPE' }, 1],
    ]);
  });
});
