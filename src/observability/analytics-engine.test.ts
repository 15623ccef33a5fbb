import { describe, expect, it } from 'vitest';
import type { AccessLogEntry } from './access-log.js';
import { analyticsDataPoint, writeRequestsTo, type AnalyticsEngineDataset } from './analytics-engine.js';
import { EventBus } from './event-bus.js';

/** Workers Analytics Engine cannot be read back locally (Miniflare drops writes): the layout is pinned here. */
const entry = (line: Partial<AccessLogEntry['line']>, routePattern?: string): AccessLogEntry => ({
  line: {
    requestId: 'r',
    method: 'GET',
    path: '/x',
    route: undefined,
    status: 200,
    durationMs: 3,
    client: '1.2.3.4',
    ...line,
  },
  routePattern,
  durationSeconds: 0.01234,
});

describe('analytics data points', () => {
  it('one point per request: route, method, status class, auth outcome, code, upstream; status and durations', () => {
    const recorded: unknown[] = [];
    const dataset: AnalyticsEngineDataset = { writeDataPoint: (point) => void recorded.push(point) };
    const bus = new EventBus<AccessLogEntry>();
    writeRequestsTo(dataset, (listener) => bus.subscribe(listener));
    bus.publish(entry({ status: 401, authorizer: 'hs', code: 'AUTH_VERIFICATION_FAILED' }, '/secure'));
    bus.publish(
      entry(
        { status: 200, authorizer: 'hs', auth: 'ok', upstream: 'api', upstreamMs: 4.5, upstreamStatus: 200 },
        '/api/{.+}',
      ),
    );
    bus.publish(entry({ status: 404, code: 'ERR_NO_ROUTE' }));
    expect(recorded).toEqual([
      {
        blobs: ['/secure', 'GET', '4xx', 'AUTH_ERROR', 'AUTH_VERIFICATION_FAILED', ''],
        doubles: [401, 12.34, 0],
        indexes: ['/secure'],
      },
      {
        blobs: ['/api/{.+}', 'GET', '2xx', 'ok', '', 'api'],
        doubles: [200, 12.34, 4.5],
        indexes: ['/api/{.+}'],
      },
      {
        blobs: ['(none)', 'GET', '4xx', 'none', 'ERR_NO_ROUTE', ''],
        doubles: [404, 12.34, 0],
        indexes: ['(none)'],
      },
    ]);
  });

  it('a failing dataset never reaches the request', () => {
    const errors: unknown[] = [];
    const bus = new EventBus<AccessLogEntry>((error) => errors.push(error));
    writeRequestsTo(
      {
        writeDataPoint: () => {
          throw new Error('quota');
        },
      },
      (listener) => bus.subscribe(listener),
    );
    expect(() => bus.publish(entry({}, '/x'))).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(analyticsDataPoint(entry({}, '/x')).indexes).toEqual(['/x']);
  });
});
