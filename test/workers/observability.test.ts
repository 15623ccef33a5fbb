import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../fixtures/otlp-receiver.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { startWorkerd, type RunningWorkerd } from '../helpers/workerd-target.js';

/**
 * Observability of the Worker in real workerd: spans exported over OTLP/HTTP with fetch inside
 * ctx.waitUntil, the trace continued from the client to the upstream, the opt-in readiness path
 * on the main host, and a bound Analytics Engine dataset that does not disturb requests.
 */
const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = 'b7ad6b7169203331';

let upstream: RecordingUpstream;
let receiver: OtlpReceiver;
let worker: RunningWorkerd;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  receiver = await startOtlpReceiver();
  const config = {
    servers: [{ alias: 'up', url: upstream.url }],
    gateway: { health_path: '/_gatehouse/ready', server_timing: true },
    authorizers: {
      hs: { type: 'jwt', secret: 'workers-obs-secret-0123456789-abcdefghijkl', algorithm: 'HS256' },
    },
    paths: [
      { method: 'GET', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } },
      { method: 'GET', path: '/secure', auth: 'hs', response: { ok: true } },
    ],
  };
  worker = await startWorkerd({
    bindings: {
      SAG_API_CONFIG_JSON: JSON.stringify(config),
      GATEHOUSE_LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'gatehouse-worker',
    },
    analyticsEngineDatasets: { GATEHOUSE_ANALYTICS: 'gatehouse_requests' },
  });
});
afterAll(async () => {
  await worker?.close();
  await upstream?.close();
  await receiver?.close();
});
beforeEach(() => {
  upstream.reset();
  receiver.spans.splice(0);
});

describe('Worker observability in workerd', () => {
  it('exports the request and upstream spans, continuing the client trace to the upstream', async () => {
    const response = await fetch(`${worker.url}/up/items/1`, {
      headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('server-timing')).toMatch(/^upstream;dur=[\d.]+, total;dur=[\d.]+$/);
    const spans = await receiver.waitFor((s) => s.some((span) => span.kind === 2));
    const server = spans.find((s) => s.kind === 2) as ReceivedSpan;
    expect(server).toMatchObject({
      name: 'GET /up/{.+}',
      traceId: CLIENT_TRACE,
      parentSpanId: CLIENT_SPAN,
      serviceName: 'gatehouse-worker',
    });
    const call = spans.find(
      (s) => s.kind === 3 && s.attributes['gatehouse.upstream'] === 'up',
    ) as ReceivedSpan;
    expect(call).toMatchObject({ traceId: CLIENT_TRACE, parentSpanId: server.spanId });
    // Times are epoch nanoseconds in workerd too (its clock is the wall clock, frozen between I/O).
    for (const span of [server, call]) {
      expect(span.startTimeUnixNano).toMatch(/^\d{19}$/);
      expect(Math.abs(Number(span.startTimeUnixNano) / 1e6 - Date.now())).toBeLessThan(60_000);
      expect(BigInt(span.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(span.startTimeUnixNano));
    }
    expect(upstream.requests[0]?.headers.traceparent).toBe(`00-${CLIENT_TRACE}-${call.spanId}-01`);
    // The access-log line carries the ids.
    const line = worker.logs
      .map((l) => safeJson(l))
      .find((l) => l?.msg === 'request' && l.path === '/up/items/1');
    expect(line).toMatchObject({ traceId: CLIENT_TRACE, spanId: server.spanId });
  });

  it('records a refused authorization as a child span with its code', async () => {
    expect((await fetch(`${worker.url}/secure`)).status).toBe(401);
    const spans = await receiver.waitFor((s) => s.some((span) => span.name === 'gatehouse.authorize'));
    const server = spans.find((s) => s.kind === 2) as ReceivedSpan;
    expect(spans.find((s) => s.name === 'gatehouse.authorize')).toMatchObject({
      parentSpanId: server.spanId,
      attributes: { 'gatehouse.auth.outcome': 'AUTH_ERROR', 'gatehouse.authorizer': 'hs' },
    });
  });

  it('answers readiness on gateway.health_path, not as a route', async () => {
    const response = await fetch(`${worker.url}/_gatehouse/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      ready: true,
      notReady: [],
      checks: { config: { ready: true } },
    });
    expect((await fetch(`${worker.url}/_gatehouse/ready`, { method: 'POST' })).status).toBe(404);
  });
});

function safeJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
