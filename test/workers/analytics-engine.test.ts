import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedDataPoints, type RecordedDataPoint } from '../fixtures/analytics-engine-recorder.js';
import { claimsAt, hmacKey, signToken } from '../fixtures/keys.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { startWorkerd, type RunningWorkerd } from '../helpers/workerd-target.js';

/**
 * Workers Analytics Engine through the real Worker entry in workerd: with a dataset bound as
 * GATEHOUSE_ANALYTICS (a recording stand-in, test/fixtures/analytics-engine-recorder.ts), every
 * request writes exactly one data point in the layout of docs/OBSERVABILITY.md — route, method,
 * status class, auth outcome, error code, upstream; status, duration, upstream ms; the route as
 * index.
 */
const SECRET = 'workers-analytics-secret-0123456789-abcdef';
let upstream: RecordingUpstream;
let worker: RunningWorkerd;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  const config = {
    servers: [
      { alias: 'up', url: upstream.url },
      // Nothing listens on port 9 of 127.0.0.1 here: the call fails (502).
      { alias: 'gone', url: 'http://127.0.0.1:9' },
    ],
    authorizers: { hs: { type: 'jwt', secret: SECRET, algorithm: 'HS256' } },
    paths: [
      { method: 'GET', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } },
      { method: 'GET', path: '/gone', integration: { type: 'http_proxy', server: 'gone' } },
      { method: 'GET', path: '/secure', auth: 'hs', response: { ok: true } },
    ],
  };
  worker = await startWorkerd({
    bindings: { SAG_API_CONFIG_JSON: JSON.stringify(config) },
    recordedAnalyticsEngineDatasets: { GATEHOUSE_ANALYTICS: 'gatehouse_requests' },
  });
});
afterAll(async () => {
  await worker?.close();
  await upstream?.close();
});

async function pointsAfter(count: number, timeoutMs = 5_000): Promise<RecordedDataPoint[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const points = recordedDataPoints(worker.logs);
    if (points.length >= count || performance.now() > deadline) {
      // A moment more: a second point for one request would show up here.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return recordedDataPoints(worker.logs);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Analytics Engine data points from the Worker in workerd', () => {
  it('writes one data point per request: route, method, status, duration, auth code, upstream', async () => {
    const token = await signToken(hmacKey(SECRET), claimsAt(Date.now()));
    const requests: [string, Record<string, string>?, string?][] = [
      ['/up/items/1'],
      ['/secure'],
      ['/secure', { authorization: `Bearer ${token}` }],
      ['/secure', { authorization: 'Bearer not-a-token' }],
      ['/nowhere'],
      ['/gone'],
      ['/secure', {}, 'DELETE'],
    ];
    const statuses: number[] = [];
    for (const [path, headers, method] of requests) {
      const response = await fetch(`${worker.url}${path}`, {
        method: method ?? 'GET',
        headers: headers ?? {},
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 401, 200, 401, 404, 502, 405]);

    const points = await pointsAfter(requests.length);
    expect(points).toHaveLength(requests.length);
    for (const point of points) {
      expect(point.dataset).toBe('gatehouse_requests');
      expect(point.blobs).toHaveLength(6);
      expect(point.doubles).toHaveLength(3);
      expect(point.indexes).toEqual([point.blobs[0]]);
      // Duration in ms, non-negative (workerd's clock only moves on I/O, so it may be 0).
      expect(point.doubles[1]).toBeGreaterThanOrEqual(0);
    }
    const [proxied, noToken, ok, badToken, noRoute, gone, wrongMethod] = points as RecordedDataPoint[];
    expect(proxied?.blobs).toEqual(['/up/{.+}', 'GET', '2xx', 'none', '', 'up']);
    expect(proxied?.doubles[0]).toBe(200);
    expect(noToken?.blobs).toEqual(['/secure', 'GET', '4xx', 'AUTH_ERROR', 'AUTH_ERROR', '']);
    expect(noToken?.doubles).toEqual([401, expect.any(Number), 0]);
    expect(ok?.blobs).toEqual(['/secure', 'GET', '2xx', 'ok', '', '']);
    expect(badToken?.blobs.slice(0, 4)).toEqual(['/secure', 'GET', '4xx', 'ERR_JWS_INVALID']);
    // The router's own refusals carry their catalogue code like every other error answer.
    expect(noRoute?.blobs).toEqual(['(none)', 'GET', '4xx', 'none', 'ERR_NO_ROUTE', '']);
    expect(noRoute?.doubles[0]).toBe(404);
    expect(wrongMethod?.blobs).toEqual(['(none)', 'DELETE', '4xx', 'none', 'ERR_METHOD_NOT_ALLOWED', '']);
    expect(wrongMethod?.doubles[0]).toBe(405);
    expect(gone?.blobs).toEqual(['/gone', 'GET', '5xx', 'none', 'ERR_UPSTREAM_UNAVAILABLE', 'gone']);
    expect(gone?.doubles[0]).toBe(502);
  });
});
