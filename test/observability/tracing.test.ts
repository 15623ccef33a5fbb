import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { createJsonLogger } from '../../src/observability/logger.js';
import { startJwksServer, type JwksServer } from '../fixtures/jwks-server.js';
import { createKeyPair, issueToken, type TestKeyPair } from '../fixtures/keys.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../fixtures/otlp-receiver.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { startGatehouseProcess } from '../helpers/cli-process.js';
import { parseExposition, promtoolCheck, sampleKey } from '../helpers/prometheus-text.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Tracing through the real Node assembly with a local OTLP/HTTP receiver: the client's
 * traceparent is continued, the upstream receives the gateway's client span as parent, and the
 * receiver gets the server, authorization, upstream and control-plane spans with the right
 * parent/child structure. Without an exporter the trace context is forwarded untouched.
 */
const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;
const KIND = { internal: 1, server: 2, client: 3 };

let upstream: RecordingUpstream;
let receiver: OtlpReceiver;
let jwks: JwksServer;
let rsa: TestKeyPair;
const running: RunningGatehouse[] = [];

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  receiver = await startOtlpReceiver();
  rsa = await createKeyPair('RS256', 'trace-key');
  jwks = await startJwksServer([rsa.publicJwk]);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((gatehouse) => gatehouse.close(500)));
  receiver.spans.splice(0);
  receiver.posts.splice(0);
  upstream.reset();
});

afterAll(async () => {
  await upstream?.close();
  await receiver?.close();
  await jwks?.close();
});

function config(): object {
  return {
    servers: [{ alias: 'api', url: upstream.url }],
    authorizers: { rs: { type: 'jwt', jwks_uri: jwks.jwksUrl, algorithms: ['RS256'] } },
    paths: [
      { method: 'GET', path: '/open/{.+}', integration: { type: 'http_proxy', server: 'api' } },
      { method: 'GET', path: '/secure/{id}', auth: 'rs', integration: { type: 'http_proxy', server: 'api' } },
    ],
  };
}

async function start(
  env: Record<string, string>,
  lines?: string[],
  admin?: { port: number },
): Promise<RunningGatehouse> {
  const gatehouse = await startGatehouse({
    source: inlineConfigSource(config()),
    env,
    port: 0,
    ...(admin ? { admin } : {}),
    ...(lines ? { logger: createJsonLogger('info', (line) => void lines.push(line)) } : {}),
  });
  running.push(gatehouse);
  return gatehouse;
}

const exporting = (): Record<string, string> => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_BSP_SCHEDULE_DELAY: '50',
  OTEL_SERVICE_NAME: 'gatehouse-under-test',
  OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=s3cret%20value',
});

function token(): Promise<string> {
  return issueToken(rsa, { sub: 'user-1' });
}

function parseTraceparent(header: unknown): { traceId: string; spanId: string; flags: string } {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(String(header));
  if (!match) throw new Error(`not a traceparent: ${String(header)}`);
  return { traceId: match[1] as string, spanId: match[2] as string, flags: match[3] as string };
}

const byName = (spans: readonly ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);

describe('tracing with an OTLP/HTTP exporter', () => {
  it('continues the client trace through authorization to the upstream, with the right parents', async () => {
    const lines: string[] = [];
    const gatehouse = await start(exporting(), lines);
    const response = await fetch(`${gatehouse.url}/secure/42?secret=1`, {
      headers: {
        traceparent: TRACEPARENT,
        tracestate: 'vendor=abc',
        authorization: `Bearer ${await token()}`,
      },
    });
    expect(response.status).toBe(200);

    const spans = await receiver.waitFor((s) => s.some((span) => span.kind === KIND.server));
    const server = byName(spans, 'GET /secure/{id}');
    expect(server).toHaveLength(1);
    const request = server[0] as ReceivedSpan;
    expect(request.kind).toBe(KIND.server);
    expect(request.traceId).toBe(CLIENT_TRACE);
    expect(request.parentSpanId).toBe(CLIENT_SPAN);
    expect(request.traceState).toBe('vendor=abc');
    expect(request.serviceName).toBe('gatehouse-under-test');
    expect(request.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/secure/{id}',
      'url.path': '/secure/42',
      'http.response.status_code': 200,
    });

    const authorize = spans.filter((s) => s.name === 'gatehouse.authorize');
    expect(authorize).toHaveLength(1);
    expect(authorize[0]).toMatchObject({
      traceId: CLIENT_TRACE,
      parentSpanId: request.spanId,
      kind: KIND.internal,
      attributes: { 'gatehouse.authorizer': 'rs', 'gatehouse.auth.outcome': 'ok' },
    });

    const calls = spans.filter((s) => s.kind === KIND.client && s.attributes['gatehouse.upstream'] === 'api');
    expect(calls).toHaveLength(1);
    const call = calls[0] as ReceivedSpan;
    expect(call).toMatchObject({ traceId: CLIENT_TRACE, parentSpanId: request.spanId, name: 'GET' });
    expect(call.attributes['url.full']).toBe(`${upstream.url}/secure/42`);
    expect(call.attributes['http.response.status_code']).toBe(200);

    // The upstream saw the gateway's client span as its parent, in the client's trace.
    const [received] = upstream.requests;
    const sent = parseTraceparent(received?.headers.traceparent);
    expect(sent).toEqual({ traceId: CLIENT_TRACE, spanId: call.spanId, flags: '01' });
    expect(received?.headers.tracestate).toBe('vendor=abc');

    // The key set fetch is a control-plane CLIENT span of its own trace.
    const controlPlane = spans.filter((s) => s.attributes['gatehouse.call'] === 'control_plane');
    expect(controlPlane.length).toBeGreaterThanOrEqual(1);
    expect(controlPlane[0]?.attributes['url.full']).toBe(jwks.jwksUrl);
    expect(controlPlane[0]?.parentSpanId).toBeUndefined();

    // The access-log line names the same trace and the gateway's server span.
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request');
    expect(line).toMatchObject({ traceId: CLIENT_TRACE, spanId: request.spanId });

    // The exporter sent the configured headers.
    expect(receiver.posts[0]?.headers['x-collector-key']).toBe('s3cret value');
  });

  it('starts a new trace without a (valid) traceparent, and records a refused authorization', async () => {
    const gatehouse = await start(exporting());
    const refused = await fetch(`${gatehouse.url}/secure/1`, { headers: { traceparent: '00-zz-bad-01' } });
    expect(refused.status).toBe(401);
    const spans = await receiver.waitFor((s) => s.some((span) => span.kind === KIND.server));
    const request = spans.find((s) => s.kind === KIND.server) as ReceivedSpan;
    expect(request.parentSpanId).toBeUndefined();
    expect(request.traceId).not.toBe(CLIENT_TRACE);
    expect(request.attributes).toMatchObject({
      'http.response.status_code': 401,
      'gatehouse.error_code': 'AUTH_ERROR',
    });
    const authorize = spans.find((s) => s.name === 'gatehouse.authorize');
    expect(authorize).toMatchObject({
      parentSpanId: request.spanId,
      statusCode: 2,
      attributes: { 'gatehouse.auth.outcome': 'AUTH_ERROR' },
    });
    expect(upstream.requests).toHaveLength(0);
  });

  it('marks upstream failures on the client and server spans', async () => {
    const gatehouse = await start(exporting());
    const response = await fetch(`${gatehouse.url}/open/status/503`, {
      headers: { traceparent: TRACEPARENT },
    });
    expect(response.status).toBe(503);
    const spans = await receiver.waitFor((s) => s.some((span) => span.kind === KIND.server));
    const call = spans.find((s) => s.kind === KIND.client && s.attributes['gatehouse.upstream'] === 'api');
    expect(call).toMatchObject({ statusCode: 2, attributes: { 'http.response.status_code': 503 } });
    expect(spans.find((s) => s.kind === KIND.server)?.statusCode).toBe(2);
  });

  it('samples: with always_off nothing is exported, yet the upstream still gets the trace id', async () => {
    const gatehouse = await start({ ...exporting(), OTEL_TRACES_SAMPLER: 'always_off' });
    await fetch(`${gatehouse.url}/open/a`, { headers: { traceparent: TRACEPARENT } });
    const sent = parseTraceparent(upstream.requests[0]?.headers.traceparent);
    expect(sent.traceId).toBe(CLIENT_TRACE);
    expect(sent.flags).toBe('00');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.spans.filter((s) => s.kind !== KIND.client || !s.attributes['gatehouse.call'])).toEqual(
      [],
    );
  });

  it('a collector that fails costs nothing to the requests; the lost spans are counted', async () => {
    receiver.setStatus(503);
    try {
      const gatehouse = await start(exporting(), undefined, { port: 0 });
      for (let i = 0; i < 5; i++) {
        expect((await fetch(`${gatehouse.url}/open/${i}`)).status).toBe(200);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.posts.length).toBeGreaterThanOrEqual(1);
      const text = await (await fetch(`${gatehouse.adminUrl as string}/metrics`)).text();
      const samples = parseExposition(text);
      // Two spans per request (server and upstream call), all in refused batches.
      expect(
        samples.get(sampleKey('gatehouse_trace_spans_dropped_total', { reason: 'export_failed' })),
      ).toBeGreaterThanOrEqual(10);
      expect(samples.get(sampleKey('gatehouse_trace_spans_dropped_total', { reason: 'queue_full' }))).toBe(0);
      expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
    } finally {
      receiver.setStatus(200);
    }
  });
});

describe('gatehouse start with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('traces through the real command, and flushes queued spans when stopped with SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-trace-'));
    try {
      const file = join(dir, 'api-config.json');
      await writeFile(file, JSON.stringify(config()));
      // The default 5 s schedule delay: the spans are still queued when SIGTERM arrives.
      const started = await startGatehouseProcess(['--config', file], {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SERVICE_NAME: 'gatehouse-cli',
      });
      const response = await fetch(`${started.url}/open/cli`, { headers: { traceparent: TRACEPARENT } });
      expect(response.status).toBe(200);
      expect(await started.stop()).toBe(0);
      const spans = await receiver.waitFor((s) => s.some((span) => span.kind === KIND.server), 5_000);
      const server = spans.find((s) => s.kind === KIND.server) as ReceivedSpan;
      expect(server).toMatchObject({
        traceId: CLIENT_TRACE,
        parentSpanId: CLIENT_SPAN,
        serviceName: 'gatehouse-cli',
      });
      const sent = parseTraceparent(upstream.requests[0]?.headers.traceparent);
      const call = spans.find((s) => s.kind === KIND.client && s.spanId === sent.spanId);
      expect(call?.parentSpanId).toBe(server.spanId);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('without an exporter (propagation only)', () => {
  it('forwards traceparent and tracestate untouched and logs their ids', async () => {
    const lines: string[] = [];
    const gatehouse = await start({}, lines);
    await fetch(`${gatehouse.url}/open/x`, { headers: { traceparent: TRACEPARENT, tracestate: 'k=v' } });
    expect(upstream.requests[0]?.headers.traceparent).toBe(TRACEPARENT);
    expect(upstream.requests[0]?.headers.tracestate).toBe('k=v');
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request');
    expect(line).toMatchObject({ traceId: CLIENT_TRACE, spanId: CLIENT_SPAN });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.posts).toEqual([]);
  });

  it('starts no trace of its own when the client sent none', async () => {
    const lines: string[] = [];
    const gatehouse = await start({}, lines);
    await fetch(`${gatehouse.url}/open/y`);
    expect(upstream.requests[0]?.headers.traceparent).toBeUndefined();
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request');
    expect(line?.traceId).toBeUndefined();
  });
});
