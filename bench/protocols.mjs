// `npm run bench:protocols`: the variants of docs/PROTOCOLS.md, each a ratio of the same run
// (docs/BENCHMARKS.md "Protocols"):
//   - WebSocket relay: echo messages/s through Gatehouse ÷ straight to the upstream (target ≥ 0.8),
//     latency-bound (one connection, one message in flight), BENCH_CONCURRENCY connections with
//     one in flight each, and throughput (BENCH_CONCURRENCY connections, BENCH_WINDOW in flight each),
//     with nginx's WebSocket proxy and a bare Node `pipe` relay measured beside it as references;
//   - cache hit: a cached proxied route ÷ the static route, requests/s (target ≥ 1.0);
//   - HTTP/2 over TLS beside HTTP/1.1 over TLS, requests/s of the static route (reported).
// Every ratio is of measurements taken in the same round, rounds interleaved, with the CPU µs per
// message/request of each process from /proc; the median and the spread over the rounds are
// printed. The load generators (bench/ws-load.mjs for WebSocket, wrk for HTTP/1.1) share the
// machine with the servers: on a small machine compare ratios only, and expect noise.
// BENCH_SECONDS (default 5, after a warm-up of half that), BENCH_CONCURRENCY (connections, 32),
// BENCH_WINDOW (messages in flight per connection in the throughput mode, 16), BENCH_ROUNDS (3),
// BENCH_ONLY (a comma list of websocket, cache, h2; default all).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { connect as h2connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { cpuSeconds, median, runWrk, startNodeProcess, wrkVersion } from './lib.mjs';
import { nginxInstalled, startNginx } from './nginx.mjs';
import { wsEchoRate } from './ws-load.mjs';
import { createSelfSigned } from '../scripts/self-signed.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'websocket,cache,h2').split(','));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 16);
const BIN = fileURLToPath(new URL('../bin/gatehouse.js', import.meta.url));
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Runs `once` from CONCURRENCY loops for SECONDS after a warm-up of half that (so the first
 * variant measured does not pay for the JIT); returns completed operations per second.
 */
async function rate(once) {
  await loop(once, SECONDS / 2);
  return (await loop(once, SECONDS)) / SECONDS;
}

async function loop(once, seconds) {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, i) => {
      while (performance.now() < deadline) {
        await once(i);
        done++;
      }
    }),
  );
  return done;
}

/** Requests/s of GET url from undici in this process: the fallback when wrk is not installed. */
async function undiciRate(url) {
  const pool = new Pool(new URL(url).origin, { connections: CONCURRENCY });
  const path = new URL(url).pathname;
  try {
    await (await pool.request({ path, method: 'GET' })).body.text();
    let requests = 0;
    const perSecond = await rate(async () => {
      const { statusCode, body } = await pool.request({ path, method: 'GET' });
      await body.text();
      if (statusCode !== 200) throw new Error(`${url}: ${statusCode}`);
      requests++;
    });
    return { perSecond, requests };
  } finally {
    await pool.close();
  }
}

/** Requests/s of GET url and the server's CPU µs per request over the same run. */
async function httpRateWithCpu(url, pid) {
  if (!wrkVersion()) {
    const before = cpuSeconds(pid);
    const { perSecond, requests } = await undiciRate(url);
    return { perSecond, cpuUs: ((cpuSeconds(pid) - before) * 1e6) / requests };
  }
  // wrk takes whole seconds.
  await runWrk(url, { seconds: Math.max(1, Math.round(SECONDS / 2)), connections: CONCURRENCY });
  const before = cpuSeconds(pid);
  const run = await runWrk(url, { seconds: Math.max(1, Math.round(SECONDS)), connections: CONCURRENCY });
  if (run.errors > 0 || run.non2xx > 0)
    throw new Error(`${url}: ${run.errors} errors, ${run.non2xx} non-2xx`);
  return { perSecond: run.rps, cpuUs: ((cpuSeconds(pid) - before) * 1e6) / run.requests };
}

/**
 * Echo messages/s through `url` with `window` in flight per connection, and the CPU µs per
 * message of this process (the client) and of each of `pids`, over exactly the counted messages;
 * `clientCore` is the share of one core the client used (near 1: the client limits the run).
 */
async function wsRateWithCpu(url, pids, connections, window) {
  const result = await wsEchoRate(url, {
    connections,
    window,
    seconds: SECONDS,
    onMeasure() {
      const self = process.cpuUsage();
      const before = pids.map(cpuSeconds);
      return () => {
        const used = process.cpuUsage(self);
        return {
          client: (used.user + used.system) / 1e6,
          servers: pids.map((pid, i) => cpuSeconds(pid) - before[i]),
        };
      };
    },
  });
  const { perSecond, messages, seconds, measured } = result;
  return {
    perSecond,
    clientUs: (measured.client * 1e6) / messages,
    clientCore: measured.client / seconds,
    cpuUs: measured.servers.map((cpu) => (cpu * 1e6) / messages),
  };
}

const spread = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${median(sorted).toFixed(2)}, spread ${sorted[0].toFixed(2)}–${sorted.at(-1).toFixed(2)}`;
};
const us = (values) => median(values).toFixed(1);

async function h1TlsRate(url, ca) {
  const agent = new HttpsAgent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
  const once = () =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(url, { agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  try {
    await once();
    return await rate(once);
  } finally {
    agent.destroy();
  }
}

async function h2TlsRate(url, ca) {
  const session = h2connect(new URL(url).origin, { ca });
  const path = new URL(url).pathname;
  const once = () =>
    new Promise((resolve, reject) => {
      const stream = session.request({ ':path': path });
      stream.on('error', reject);
      stream.resume();
      stream.on('end', resolve);
    });
  try {
    await once();
    return await rate(once);
  } finally {
    session.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-protocols-'));
const stops = [];
try {
  const upstream = await startNodeProcess(here('./protocols-upstream.mjs'));
  stops.push(upstream.stop);
  const { certFile, keyFile } = createSelfSigned(dir);
  const configFile = join(dir, 'api-config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      servers: [{ alias: 'up', url: upstream.url }],
      paths: [
        { method: 'GET', path: '/static', response: { status: 'ok' } },
        { method: 'GET', path: '/api/{.+}', integration: { type: 'http_proxy', server: 'up' } },
        {
          method: 'GET',
          path: '/cached/{.+}',
          integration: { type: 'http_proxy', server: 'up' },
          cache: { ttl_s: 3600 },
        },
      ],
    }),
  );
  const args = ['start', '--config', configFile, '--port', '0', '--log-level', 'silent'];
  const plain = await startNodeProcess(BIN, args);
  stops.push(plain.stop);
  const tls = await startNodeProcess(BIN, [...args, '--tls-cert', certFile, '--tls-key', keyFile], {});
  stops.push(tls.stop);
  const ca = readFileSync(certFile);
  const tlsUrl = tls.url;

  // Each measurement is printed as it ends (a long run shows its progress), the summary at the end.
  const results = {
    push: (...rows) => {
      for (const [label, value] of rows)
        console.log(`${label.padEnd(80)} ${Math.round(value).toLocaleString('en-US')}`);
    },
  };
  const summary = [];

  /**
   * The relays measured against the direct connection: Gatehouse, and as references nginx's
   * WebSocket proxy (when installed) and a bare Node `pipe` (bench/servers/tcp-pipe.mjs).
   */
  const relays = [{ name: 'Gatehouse', url: `${plain.url.replace('http', 'ws')}/api/ws`, pid: plain.pid }];
  if (ONLY.has('websocket')) {
    if (nginxInstalled()) {
      const nginx = await startNginx(upstream.url);
      stops.push(nginx.stop);
      relays.push({
        name: 'nginx (reference)',
        url: `${nginx.url.replace('http', 'ws')}/ws/ws`,
        pid: nginx.pid,
      });
    }
    const pipe = await startNodeProcess(here('./servers/tcp-pipe.mjs'), [new URL(upstream.url).port]);
    stops.push(pipe.stop);
    relays.push({
      name: 'Node pipe (reference)',
      url: `${pipe.url.replace('http', 'ws')}/ws`,
      pid: pipe.pid,
    });
  }
  const directUrl = `${upstream.url.replace('http', 'ws')}/ws`;

  // Rounds interleave the direct run and every relay (in an order rotated each round), so a
  // burst of load from elsewhere hits all sides of a ratio alike.
  const websocketRounds = async (label, connections, window) => {
    const direct = [];
    const through = relays.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      const order = [-1, ...relays.keys()];
      for (let i = 0; i < round % order.length; i++) order.push(order.shift());
      const measured = new Map();
      for (const index of order) {
        const relay = relays[index];
        const pids = relay ? [upstream.pid, relay.pid] : [upstream.pid];
        measured.set(index, await wsRateWithCpu(relay?.url ?? directUrl, pids, connections, window));
      }
      direct.push(measured.get(-1));
      results.push([`WebSocket ${label}, direct (msg/s), round ${round + 1}`, measured.get(-1).perSecond]);
      relays.forEach((relay, index) => {
        through[index].push(measured.get(index));
        results.push([
          `WebSocket ${label}, ${relay.name} (msg/s), round ${round + 1}`,
          measured.get(index).perSecond,
        ]);
      });
    }
    summary.push(
      `WebSocket ${label}:`,
      `  direct: ${Math.round(median(direct.map((r) => r.perSecond))).toLocaleString('en-US')} msg/s; ` +
        `CPU µs/msg client ${us(direct.map((r) => r.clientUs))}, upstream ${us(direct.map((r) => r.cpuUs[0]))}; ` +
        `client used ${us(direct.map((r) => r.clientCore * 100))}% of a core`,
    );
    relays.forEach((relay, index) => {
      const runs = through[index];
      const ratios = runs.map((r, round) => r.perSecond / direct[round].perSecond);
      summary.push(
        `  ${relay.name} ÷ direct: ${spread(ratios)} over ${ROUNDS} rounds` +
          `${index === 0 ? ' (target ≥ 0.8)' : ''}; CPU µs/msg relay ${us(runs.map((r) => r.cpuUs[1]))}, ` +
          `client ${us(runs.map((r) => r.clientUs))}, upstream ${us(runs.map((r) => r.cpuUs[0]))}`,
      );
    });
  };
  if (ONLY.has('websocket')) {
    await websocketRounds('echo, 1 connection, 1 message in flight (latency-bound)', 1, 1);
    await websocketRounds(`echo, ${CONCURRENCY} connections, 1 in flight each`, CONCURRENCY, 1);
    await websocketRounds(
      `echo, ${CONCURRENCY} connections, ${WINDOW} in flight each (throughput)`,
      CONCURRENCY,
      WINDOW,
    );
  }
  if (ONLY.has('cache')) {
    const ratios = [];
    const cpu = { static: [], hit: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const pair = [
        ['static', `${plain.url}/static`],
        ['hit', `${plain.url}/cached/items/42`],
      ];
      if (round % 2 === 1) pair.reverse();
      const measured = {};
      for (const [name, url] of pair) measured[name] = await httpRateWithCpu(url, plain.pid);
      ratios.push(measured.hit.perSecond / measured.static.perSecond);
      cpu.static.push(measured.static.cpuUs);
      cpu.hit.push(measured.hit.cpuUs);
      results.push(
        [`static route (req/s), round ${round + 1}`, measured.static.perSecond],
        [`cached proxied route, hits (req/s), round ${round + 1}`, measured.hit.perSecond],
        [`static route (gateway CPU ns/request), round ${round + 1}`, measured.static.cpuUs * 1000],
        [
          `cached proxied route, hits (gateway CPU ns/request), round ${round + 1}`,
          measured.hit.cpuUs * 1000,
        ],
      );
    }
    // The CPU ratio is paired per round (both halves of a round see the same machine): on a
    // shared machine it is steadier than the requests/s ratio, which the load generator's and
    // the other processes' share of the cores moves as much as the gateway does.
    const cpuRatios = cpu.hit.map((hit, round) => hit / cpu.static[round]);
    summary.push(
      `cache hit ÷ static: ${spread(ratios)} over ${ROUNDS} rounds (target ≥ 1.0); ` +
        `gateway CPU µs/request static ${us(cpu.static)}, hit ${us(cpu.hit)}; ` +
        `hit CPU ÷ static CPU per round: ${spread(cpuRatios)} (≤ 1.0: a hit costs no more)`,
    );
  }
  if (ONLY.has('h2')) {
    const h1 = await h1TlsRate(`${tlsUrl}/static`, ca);
    const h2 = await h2TlsRate(`${tlsUrl}/static`, ca);
    results.push(
      ['HTTP/1.1 over TLS, static (req/s)', h1],
      ['HTTP/2 over TLS, static, one connection (req/s)', h2],
    );
    summary.push(`h2 over TLS ÷ h1 over TLS: ${(h2 / h1).toFixed(2)} (reported)`);
  }

  for (const line of summary) console.log(line);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
