// The CPU the observability code adds to one request, measured in-process in tight loops (no
// network, so a loaded machine disturbs it far less than the load benchmark): what the metrics
// subscriber does with one access-log entry, and the spans, ids and traceparent of one proxied
// request with tracing on (not sampled, 10% sampled, all sampled; export encoding included for
// sampled spans). Run `npm run build` first. Prints only; docs/BENCHMARKS.md quotes its output.
//   node bench/observability-cost.mjs
/* global Headers -- Web globals of Node ≥ 18 that the .mjs lint config does not list */
import { performance } from 'node:perf_hooks';
import { HeaderPairs } from '../dist/proxy/headers.js';
import { RequestMetrics } from '../dist/observability/request-metrics.js';
import { tracingSettingsFromEnv } from '../dist/observability/tracing/settings.js';
import { createTracing, SpanKind } from '../dist/observability/tracing/tracing.js';

const ROUNDS = 5;

function measure(label, iterations, body) {
  for (let i = 0; i < iterations / 10; i++) body(i);
  const perRound = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < iterations; i++) body(i);
    perRound.push(((performance.now() - started) * 1000) / iterations);
  }
  perRound.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(58)} ${perRound[Math.floor(ROUNDS / 2)].toFixed(2).padStart(6)} µs/request (median of ${ROUNDS})`,
  );
}

// Metrics: one entry per request, as the gateway's exit publishes it.
const metrics = new RequestMetrics();
const routes = ['/api/{.+}', '/static', '/hs/{.+}'];
const entries = routes.map((routePattern, i) => ({
  line: {
    requestId: 'b2c1',
    method: 'GET',
    path: '/api/items/42',
    route: `GET ${routePattern}`,
    status: 200,
    durationMs: 1,
    client: '127.0.0.1',
    ...(i === 0 ? { upstream: 'upstream', upstreamMs: 0.8, upstreamStatus: 200 } : {}),
  },
  routePattern,
  durationSeconds: 0.0011,
}));
measure('metrics: record one access-log entry', 2_000_000, (i) => metrics.record(entries[i % 3]));

// Tracing: server span, upstream client span, traceparent on the upstream headers, both ended.
function tracingFor(sampler, ratio) {
  const { settings } = tracingSettingsFromEnv({
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
    OTEL_TRACES_SAMPLER: sampler,
    OTEL_TRACES_SAMPLER_ARG: String(ratio),
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512',
  });
  // The exporter's transport answers at once: the batch is still encoded to OTLP JSON.
  return createTracing({
    settings,
    post: async () => 200,
    mode: 'timer',
    onExportFailure() {},
  });
}
const incoming = new Headers({ host: 'gateway', accept: '*/*' });
// On Node the upstream request's headers are a flat pair list, and traceparent goes into it.
const forwarded = ['accept', '*/*', 'x-request-id', 'b2c1', 'x-forwarded-for', '127.0.0.1'];
function oneRequest(tracing) {
  const server = tracing.startRequest('GET', '/api/items/42', incoming, 'b2c1');
  tracing.nameRequest(server, 'GET', '/api/{.+}');
  const outgoing = new HeaderPairs(forwarded.slice());
  const client = tracing.startSpan(server, 'GET', SpanKind.CLIENT, { 'gatehouse.upstream': 'upstream' });
  tracing.inject(client, outgoing);
  if (client.isRecording()) client.setAttribute('http.response.status_code', 200);
  client.end();
  tracing.endRequest(server, 200, undefined);
}

/** Like measure(), in chunks of 256 requests, each followed by the export of what they queued. */
async function measureTraced(label, iterations, tracing) {
  const chunk = async () => {
    for (let i = 0; i < 256; i++) oneRequest(tracing);
    await tracing.flush();
  };
  for (let i = 0; i < iterations / 2560; i++) await chunk();
  const perRound = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < iterations / 256; i++) await chunk();
    perRound.push(((performance.now() - started) * 1000) / iterations);
  }
  perRound.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(58)} ${perRound[Math.floor(ROUNDS / 2)].toFixed(2).padStart(6)} µs/request (median of ${ROUNDS})`,
  );
}
measure('baseline: the upstream pair list alone', 300_000, () => new HeaderPairs(forwarded.slice()));
for (const [label, sampler, ratio] of [
  ['tracing: request not sampled (always_off)', 'always_off', 0],
  ['tracing: 10% sampled (parentbased_traceidratio 0.1)', 'parentbased_traceidratio', 0.1],
  ['tracing: every request sampled (always_on)', 'always_on', 1],
]) {
  const tracing = tracingFor(sampler, ratio);
  await measureTraced(label, 256 * 1000, tracing);
  await tracing.flush();
  await tracing.shutdown();
}
