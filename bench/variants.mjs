// The servers under test. A variant is a small object:
//   { name, label, group, start(): Promise<{ url, pid, stop() }>, path, headers,
//     check(response), refusals? }
// `check` throws when the answer to `GET path` with `headers` is wrong (status or body), so a fast
// wrong answer never counts; `refusals` are requests that must be refused (e.g. no token → 401).
// The Workers variants (group 'workers' and 'workers-floor') run in raw workerd (bench/workers/)
// when `ctx.workers` is given.
import { fileURLToPath } from 'node:url';
import { startNodeProcess } from './lib.mjs';
import { SUBJECT } from './configs.mjs';
import { nginxInstalled, startNginx } from './nginx.mjs';
import { startOtlpSink } from './otlp-sink.mjs';
import { trafficVariants } from './traffic.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The JSON the upstream answers for `path`, as a proxy must pass it through. */
function expectUpstreamBody(path, user = null) {
  return (response) => {
    expectStatus(response, 200);
    const body = parseJson(response);
    if (body.ok !== true || body.path !== path || body.user !== user) {
      throw new Error(
        `expected the upstream's body for ${path} with user ${JSON.stringify(user)}, got ${response.body}`,
      );
    }
  };
}

function expectStatusOk(response) {
  expectStatus(response, 200);
  const body = parseJson(response);
  if (Object.keys(body).length !== 1 || body.status !== 'ok') {
    throw new Error(`expected {"status":"ok"}, got ${response.body}`);
  }
}

function expectStatus(response, status) {
  if (response.status !== status) {
    throw new Error(`expected status ${status}, got ${response.status}: ${response.body.slice(0, 300)}`);
  }
}

function parseJson(response) {
  try {
    return response.json();
  } catch {
    throw new Error(`expected a JSON body, got ${response.body.slice(0, 300)}`);
  }
}

/** The token with one character in the middle of its signature changed (never a padding bit). */
function tamper(token) {
  const at = token.lastIndexOf('.') + Math.floor((token.length - token.lastIndexOf('.')) / 2);
  return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
}

/**
 * @param {{
 *   upstream: { url: string, pid: number },
 *   gatehouseBin: string,
 *   configs: Record<number, string>,
 *   smallRoutes: number, largeRoutes: number,
 *   tokens: { hs256: string, rs256: string },
 *   nodeArgs?: string[],
 *   workers?: Awaited<ReturnType<typeof import('./workers/prepare.mjs').prepareWorkers>>,
 *   traffic?: { memory: string, redis: string },
 * }} ctx  nodeArgs are given to every Node server process the variants start (e.g. --cpu-prof);
 *   workers, when given, adds the Workers variants
 */
export function createVariants(ctx) {
  const { upstream, gatehouseBin, configs, smallRoutes, largeRoutes, tokens } = ctx;
  const gatehouse =
    (routes, extraArgs = [], env = {}) =>
    () =>
      startNodeProcess(
        gatehouseBin,
        ['start', '--config', configs[routes], '--port', '0', '--log-level', 'silent', ...extraArgs],
        { nodeArgs: ctx.nodeArgs ?? [], env },
      );
  // Tracing with an exporter: a local OTLP sink for the run of the variant, 10% of traces sampled.
  const tracedGatehouse = (routes, ratio) => async () => {
    const sink = await startOtlpSink();
    try {
      const server = await gatehouse(routes, [], {
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        // BENCH_TRACING_RATIO changes the ratio of gatehouse-tracing-10; the -0 and -100 variants
        // separate the per-request cost (nothing sampled) from the export's (everything sampled).
        OTEL_TRACES_SAMPLER_ARG: ratio ?? process.env.BENCH_TRACING_RATIO ?? '0.1',
        OTEL_BSP_SCHEDULE_DELAY: '1000',
      })();
      return {
        ...server,
        stop: async () => {
          await server.stop();
          await sink.close();
        },
      };
    } catch (error) {
      await sink.close();
      throw error;
    }
  };
  const small = `${smallRoutes.toLocaleString('en-US')} routes`;
  const large = `${largeRoutes.toLocaleString('en-US')} routes`;
  const protectedRoute = (alg, prefix) => ({
    name: `gatehouse-${alg}`,
    label: `Gatehouse, JWT ${alg.toUpperCase()} + header mapping, proxied (${small})`,
    group: 'gatehouse',
    start: gatehouse(smallRoutes),
    path: `/${prefix}/items/42`,
    headers: { authorization: `Bearer ${tokens[alg]}` },
    check: expectUpstreamBody('/items/42', SUBJECT),
    refusals: [
      { why: 'no token', headers: {}, status: 401 },
      { why: 'bad signature', headers: { authorization: `Bearer ${tamper(tokens[alg])}` }, status: 401 },
    ],
  });

  // P2 compares a protected route with the same request on an unprotected route: the token rides
  // along (and is forwarded upstream) in both, so the ratio isolates what verification and mapping
  // cost rather than what carrying a 700-byte RS256 token to the upstream costs.
  const unprotectedWithToken = (alg) => ({
    name: `gatehouse-proxied-${alg}-token`,
    label: `Gatehouse, proxied route, unprotected, same ${alg.toUpperCase()} token sent (${small})`,
    group: 'gatehouse',
    start: gatehouse(smallRoutes),
    path: '/api/items/42',
    headers: { authorization: `Bearer ${tokens[alg]}` },
    check: expectUpstreamBody('/items/42'),
  });

  /** A peer proxy server of bench/servers/ forwarding `GET /api/*` to the bench upstream. */
  const peerProxy = (name, label, script) => ({
    name,
    label,
    group: 'peer',
    start: () =>
      startNodeProcess(here(`./servers/${script}`), [], {
        env: { UPSTREAM_URL: upstream.url },
        nodeArgs: ctx.nodeArgs ?? [],
      }),
    path: '/api/items/42',
    headers: {},
    check: expectUpstreamBody('/items/42'),
  });

  const variants = [
    unprotectedWithToken('hs256'),
    unprotectedWithToken('rs256'),
    {
      name: 'upstream-direct',
      label: 'upstream direct (the ceiling for a proxy)',
      group: 'baseline',
      // Already running for the whole bench: nothing to start or stop.
      start: async () => ({ url: upstream.url, pid: upstream.pid, stop: async () => {} }),
      path: '/items/42',
      headers: {},
      check: expectUpstreamBody('/items/42'),
    },
    {
      name: 'gatehouse-static',
      label: `Gatehouse, static route (${small})`,
      group: 'gatehouse',
      start: gatehouse(smallRoutes),
      path: '/static',
      headers: {},
      check: expectStatusOk,
    },
    {
      name: 'gatehouse-proxied',
      label: `Gatehouse, proxied route (${small})`,
      group: 'gatehouse',
      start: gatehouse(smallRoutes),
      path: '/api/items/42',
      headers: {},
      check: expectUpstreamBody('/items/42'),
    },
    {
      name: 'gatehouse-proxied-large',
      label: `Gatehouse, proxied route (${large})`,
      group: 'gatehouse',
      start: gatehouse(largeRoutes),
      path: '/api/items/42',
      headers: {},
      check: expectUpstreamBody('/items/42'),
    },
    protectedRoute('hs256', 'hs'),
    protectedRoute('rs256', 'rs'),
    // Observability (docs/OBSERVABILITY.md): each compared with gatehouse-proxied, run right after it.
    {
      name: 'gatehouse-metrics',
      label: `Gatehouse, proxied route, Prometheus metrics on (--admin-port) (${small})`,
      group: 'gatehouse',
      start: gatehouse(smallRoutes, ['--admin-port', '0']),
      path: '/api/items/42',
      headers: {},
      check: expectUpstreamBody('/items/42'),
    },
    {
      name: 'gatehouse-tracing-10',
      label: `Gatehouse, proxied route, tracing exported over OTLP/HTTP, 10% sampled (${small})`,
      group: 'gatehouse',
      start: tracedGatehouse(smallRoutes),
      path: '/api/items/42',
      headers: {},
      check: expectUpstreamBody('/items/42'),
    },
    ...[
      ['0', 'none'],
      ['100', 'all'],
    ].map(([percent, sampled]) => ({
      name: `gatehouse-tracing-${percent}`,
      label: `Gatehouse, proxied route, tracing exported over OTLP/HTTP, ${sampled} sampled (${small})`,
      group: 'gatehouse',
      start: tracedGatehouse(smallRoutes, String(Number(percent) / 100)),
      path: '/api/items/42',
      headers: {},
      check: expectUpstreamBody('/items/42'),
      onlyWhenNamed: true,
    })),
    {
      name: 'gatehouse-propagation',
      label: `Gatehouse, proxied route, client traceparent forwarded, no exporter (${small})`,
      group: 'gatehouse',
      start: gatehouse(smallRoutes),
      path: '/api/items/42',
      headers: {
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        tracestate: 'vendor=bench',
      },
      check: expectUpstreamBody('/items/42'),
    },
    {
      // The control for O3: two other headers of the same sizes, so propagation ÷ this shows
      // what is particular to trace headers (nothing: the gateway runs no code for them).
      name: 'gatehouse-two-headers',
      label: `Gatehouse, proxied route, two other headers of the traceparent/tracestate sizes (${small})`,
      group: 'gatehouse',
      start: gatehouse(smallRoutes),
      path: '/api/items/42',
      headers: {
        'x-bench-parent': '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        'x-bench-state': 'vendor=bench',
      },
      check: expectUpstreamBody('/items/42'),
    },
    peerProxy('fastify-proxy', 'Fastify 5 + @fastify/reply-from, proxied', 'fastify-proxy.mjs'),
    // Diagnostic (run only when named): the least a Node proxy does (bench/servers/node-floor-proxy.mjs).
    {
      ...peerProxy(
        'node-floor-proxy',
        'bare node:http + undici dispatch, proxied (the floor for a Node proxy)',
        'node-floor-proxy.mjs',
      ),
      onlyWhenNamed: true,
    },
    {
      name: 'hono-hello',
      label: 'Hono hello-world on @hono/node-server',
      group: 'peer',
      start: () => startNodeProcess(here('./servers/hono-hello.mjs'), [], { nodeArgs: ctx.nodeArgs ?? [] }),
      path: '/static',
      headers: {},
      check: expectStatusOk,
    },
  ];
  // Every core (docs/BEHAVIOUR.md "Several processes"): CPU and RSS are summed over the primary
  // and its workers (bench/lib.mjs processTree).
  variants.push(
    {
      name: 'gatehouse-static-workers2',
      label: `Gatehouse, static route, --workers 2 (${small})`,
      group: 'gatehouse-cluster',
      start: gatehouse(smallRoutes, ['--workers', '2']),
      path: '/static',
      headers: {},
      check: expectStatusOk,
    },
    {
      name: 'gatehouse-proxied-workers2',
      label: `Gatehouse, proxied route, --workers 2 (${small})`,
      group: 'gatehouse-cluster',
      start: gatehouse(smallRoutes, ['--workers', '2']),
      path: '/api/items/42',
      headers: {},
      check: expectUpstreamBody('/items/42'),
    },
  );
  // The reference: nginx (Debian nginx-light), when installed (bench/nginx.mjs).
  if (nginxInstalled()) {
    variants.push(
      {
        name: 'nginx-static',
        label: 'nginx, `return 200` (one process)',
        group: 'reference',
        start: () => startNginx(upstream.url),
        path: '/static',
        headers: {},
        check: expectStatusOk,
      },
      {
        name: 'nginx-proxy',
        label: 'nginx, `proxy_pass` with keep-alive (one process)',
        group: 'reference',
        start: () => startNginx(upstream.url),
        path: '/api/items/42',
        headers: {},
        check: expectUpstreamBody('/items/42'),
      },
    );
  }
  if (ctx.traffic) variants.push(...trafficVariants(ctx, { expectUpstreamBody }));
  if (ctx.workers) variants.push(...workersVariants(ctx, small, large));
  // Run order: each pair a target compares runs back to back, so slow drifts of a shared machine
  // hit both sides alike (static/Hono P4, proxied/Fastify P1, proxied/JWT P2, proxied/10,000 P3;
  // the observability variants straight after the proxied route they are divided by, O1–O3, and
  // the two-process variants after them; on Workers, each floor just before the Worker compared
  // with it, P5).
  const order = [
    'upstream-direct',
    'nginx-static',
    'gatehouse-static',
    'gatehouse-static-workers2',
    'hono-hello',
    'nginx-proxy',
    'gatehouse-proxied',
    'gatehouse-metrics',
    'gatehouse-tracing-10',
    'gatehouse-propagation',
    'gatehouse-two-headers',
    'gatehouse-proxied-workers2',
    'fastify-proxy',
    'gatehouse-proxied-hs256-token',
    'gatehouse-hs256',
    'gatehouse-proxied-rs256-token',
    'gatehouse-rs256',
    'gatehouse-proxied-large',
    'traffic-open',
    'traffic-memory',
    'traffic-api-key',
    'traffic-redis',
    'workers-floor-hello',
    'workers-static',
    'workers-floor-proxy',
    'workers-proxied',
    'workers-hs256',
    'workers-proxied-large',
  ];
  const ordered = order.map((name) => variants.find((v) => v.name === name)).filter((v) => v !== undefined);
  // Diagnostic variants (not in a full run; selected by name with --only or interleaved.mjs).
  return [...ordered, ...variants.filter((v) => v.onlyWhenNamed)];
}

/**
 * Gatehouse's Worker bundle in raw workerd (the generated config in its SAG_API_CONFIG_JSON var),
 * and the minimal hello and proxy Workers in the same workerd: the floor P5 compares with.
 */
function workersVariants(ctx, small, large) {
  const { workers, upstream, configs, smallRoutes, largeRoutes, tokens } = ctx;
  const gatehouse = (routes, name) => () => workers.startGatehouse(name, configs[routes]);
  return [
    {
      name: 'workers-floor-hello',
      label: 'minimal hello Worker, workerd (the floor for static)',
      group: 'workers-floor',
      start: () => workers.startFloor('hello', upstream.url),
      path: '/static',
      headers: {},
      check: expectStatusOk,
    },
    {
      name: 'workers-static',
      label: `Gatehouse Worker, workerd, static route (${small})`,
      group: 'workers',
      start: gatehouse(smallRoutes, 'workers-static'),
      path: '/static',
      headers: {},
      check: expectStatusOk,
    },
    {
      name: 'workers-floor-proxy',
      label: 'minimal proxy Worker (fetch), workerd (the floor for proxied)',
      group: 'workers-floor',
      start: () => workers.startFloor('proxy', upstream.url),
      path: '/api/items/42',
      headers: {},
      check: expectUpstreamBody('/items/42'),
    },
    {
      name: 'workers-proxied',
      label: `Gatehouse Worker, workerd, proxied route (${small})`,
      group: 'workers',
      start: gatehouse(smallRoutes, 'workers-proxied'),
      path: '/api/items/42',
      headers: {},
      check: expectUpstreamBody('/items/42'),
    },
    {
      name: 'workers-hs256',
      label: `Gatehouse Worker, workerd, JWT HS256 + header mapping, proxied (${small})`,
      group: 'workers',
      start: gatehouse(smallRoutes, 'workers-hs256'),
      path: '/hs/items/42',
      headers: { authorization: `Bearer ${tokens.hs256}` },
      check: expectUpstreamBody('/items/42', SUBJECT),
      refusals: [
        { why: 'no token', headers: {}, status: 401 },
        { why: 'bad signature', headers: { authorization: `Bearer ${tamper(tokens.hs256)}` }, status: 401 },
      ],
    },
    {
      name: 'workers-proxied-large',
      label: `Gatehouse Worker, workerd, proxied route (${large})`,
      group: 'workers',
      start: gatehouse(largeRoutes, 'workers-proxied-large'),
      path: '/api/items/42',
      headers: {},
      check: expectUpstreamBody('/items/42'),
    },
  ];
}
