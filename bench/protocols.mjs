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
// The measuring is `runProtocols()`, exported: `npm run bench` (bench/run.mjs) calls it too and
// puts its target rows (WS1 relay, C1 cache hit, H1 HTTP/2) in its Targets table; run directly,
// this file reads the env above and prints what it measures.
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
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

const BIN = fileURLToPath(new URL('../bin/gatehouse.js', import.meta.url));
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The measures, in the order they run; `only` (BENCH_ONLY) selects among them. */
export const PROTOCOL_MEASURES = ['websocket', 'cache', 'h2'];
/** Targets of issue 14 (docs/PROTOCOLS.md): relay ÷ direct, throughput mode; cache hit ÷ static. */
const RELAY_MIN = 0.8;
const CACHE_HIT_MIN = 1.0;

/**
 * Runs `once` from `concurrency` loops for `seconds` after a warm-up of half that (so the first
 * variant measured does not pay for the JIT); returns completed operations per second.
 */
async function rate(once, { seconds, concurrency }) {
  await loop(once, seconds / 2, concurrency);
  return (await loop(once, seconds, concurrency)) / seconds;
}

async function loop(once, seconds, concurrency) {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      while (performance.now() < deadline) {
        await once(i);
        done++;
      }
    }),
  );
  return done;
}

/** Requests/s of GET url from undici in this process: the fallback when wrk is not installed. */
async function undiciRate(url, load) {
  const pool = new Pool(new URL(url).origin, { connections: load.concurrency });
  const path = new URL(url).pathname;
  try {
    await (await pool.request({ path, method: 'GET' })).body.text();
    let requests = 0;
    const perSecond = await rate(async () => {
      const { statusCode, body } = await pool.request({ path, method: 'GET' });
      await body.text();
      if (statusCode !== 200) throw new Error(`${url}: ${statusCode}`);
      requests++;
    }, load);
    return { perSecond, requests };
  } finally {
    await pool.close();
  }
}

/** Requests/s of GET url and the server's CPU µs per request over the same run. */
async function httpRateWithCpu(url, pid, load) {
  if (!wrkVersion()) {
    const before = cpuSeconds(pid);
    const { perSecond, requests } = await undiciRate(url, load);
    return { perSecond, cpuUs: ((cpuSeconds(pid) - before) * 1e6) / requests };
  }
  // wrk takes whole seconds.
  await runWrk(url, { seconds: Math.max(1, Math.round(load.seconds / 2)), connections: load.concurrency });
  const before = cpuSeconds(pid);
  const run = await runWrk(url, {
    seconds: Math.max(1, Math.round(load.seconds)),
    connections: load.concurrency,
  });
  if (run.errors > 0 || run.non2xx > 0)
    throw new Error(`${url}: ${run.errors} errors, ${run.non2xx} non-2xx`);
  return { perSecond: run.rps, cpuUs: ((cpuSeconds(pid) - before) * 1e6) / run.requests };
}

/**
 * Echo messages/s through `url` with `window` in flight per connection, and the CPU µs per
 * message of this process (the client) and of each of `pids`, over exactly the counted messages;
 * `clientCore` is the share of one core the client used (near 1: the client limits the run).
 */
async function wsRateWithCpu(url, pids, connections, window, seconds) {
  const result = await wsEchoRate(url, {
    connections,
    window,
    seconds,
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
  const { perSecond, messages, seconds: elapsed, measured } = result;
  return {
    perSecond,
    clientUs: (measured.client * 1e6) / messages,
    clientCore: measured.client / elapsed,
    cpuUs: measured.servers.map((cpu) => (cpu * 1e6) / messages),
  };
}

const spread = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${median(sorted).toFixed(2)}, spread ${sorted[0].toFixed(2)}–${sorted.at(-1).toFixed(2)}`;
};
const us = (values) => median(values).toFixed(1);

async function h1TlsRate(url, ca, load) {
  const agent = new HttpsAgent({ keepAlive: true, maxSockets: load.concurrency, ca });
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
    return await rate(once, load);
  } finally {
    agent.destroy();
  }
}

async function h2TlsRate(url, ca, load) {
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
    return await rate(once, load);
  } finally {
    session.close();
  }
}

/**
 * A target row in the shape of bench/report.mjs `verdicts()`: the median of the per-round ratios,
 * their range when there are several rounds, the verdict against `min` (none: reported).
 */
function targetRow(id, what, ratios, { min, byCpu } = {}) {
  const value = median(ratios);
  const measured = Number.isFinite(value);
  return {
    id,
    what,
    measured: measured ? `${value.toFixed(2)}×` : 'not measured',
    range:
      measured && ratios.length > 1
        ? `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`
        : '',
    byCpu: Number.isFinite(byCpu) ? `${byCpu.toFixed(2)}×` : '',
    target: min === undefined ? 'reported' : `≥ ${min.toFixed(2)}×`,
    verdict: !measured ? 'n/a' : min === undefined ? '—' : value >= min ? 'PASS' : 'FAIL',
  };
}

/**
 * Roughly how long `runProtocols` takes, in seconds (for the estimate `npm run bench` prints):
 * each WebSocket measurement is a warm-up of half `seconds` and `seconds` timed, the direct run
 * and every relay, three modes, per round; each cache measurement two wrk runs of whole seconds.
 */
export function protocolsSeconds({ seconds = 5, rounds = 3, only = PROTOCOL_MEASURES } = {}) {
  const selected = new Set(only);
  const relays = 2 + (nginxInstalled() ? 1 : 0);
  const websocket = selected.has('websocket') ? 3 * (1 + relays) * (1.5 * seconds + 0.3) : 0;
  const cache = selected.has('cache')
    ? 2 * (Math.max(1, Math.round(seconds / 2)) + Math.max(1, Math.round(seconds)))
    : 0;
  const h2 = selected.has('h2') ? 2 * 1.5 * seconds : 0;
  return 3 + rounds * (websocket + cache) + h2;
}

/**
 * Measures the variants of docs/PROTOCOLS.md (header comment): starts the upstream
 * (bench/protocols-upstream.mjs), Gatehouse twice (`gatehouse start`, plain and with TLS, a static
 * route, a proxied route and a cached proxied route) and the reference relays, then runs the
 * selected measures, calling `log` with every line as it is measured and with the summary lines
 * at the end. Stops every process it started, also when it throws.
 *
 * @param {{ seconds?: number, rounds?: number, only?: Iterable<string>, concurrency?: number,
 *           window?: number, log?: (line: string) => void, gatehouseBin?: string,
 *           track?: (handle: Promise<object>) => Promise<object> }} [options]
 *   `only`: some of PROTOCOL_MEASURES (default all); `gatehouseBin`: the bin/gatehouse.js to start
 *   (default this checkout's); `track`: wraps every started process (bench/setup.mjs `track`, so
 *   Ctrl-C stops it).
 * @returns {Promise<{
 *   settings: { seconds: number, rounds: number, concurrency: number, window: number, only: string[] },
 *   websocket?: { label: string, connections: number, window: number, direct: object[],
 *                 relays: { name: string, rounds: object[], ratios: number[] }[] }[],
 *   cache?: { static: { perSecond: number, cpuUs: number }[], hit: { perSecond: number, cpuUs: number }[],
 *             ratios: number[], cpuRatios: number[] },
 *   h2?: { h1: number, h2: number, ratio: number },
 *   lines: string[], summary: string[],
 *   targets: { id: string, what: string, measured: string, range: string, byCpu: string,
 *              target: string, verdict: string }[],
 * }>}
 *   Per measure, one entry per round: `websocket` one per mode, each round's direct run and
 *   every relay's (`perSecond`, CPU µs per message of the client `clientUs` and of the servers
 *   `cpuUs`: [upstream, relay]; `ratios`: relay ÷ direct); `cache` each round's static and hit
 *   runs (`ratios`: hit ÷ static requests/s; `cpuRatios`: hit ÷ static CPU µs per request).
 *   `lines`: every line logged, the summary included; `summary`: the summary lines alone;
 *   `targets`: WS1 (relay, throughput mode), C1 (cache hit), H1 (HTTP/2) for the measures run.
 */
export async function runProtocols({
  seconds = 5,
  rounds = 3,
  only = PROTOCOL_MEASURES,
  concurrency = 32,
  window = 16,
  log = (line) => console.log(line),
  gatehouseBin = BIN,
  track = (handle) => handle,
} = {}) {
  const selected = new Set(only);
  const load = { seconds, concurrency };
  const lines = [];
  const emit = (line) => {
    lines.push(line);
    log(line);
  };
  const result = {
    settings: {
      seconds,
      rounds,
      concurrency,
      window,
      only: PROTOCOL_MEASURES.filter((m) => selected.has(m)),
    },
    lines,
    summary: [],
    targets: [],
  };

  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-protocols-'));
  const stops = [];
  const start = async (handlePromise) => {
    const handle = await track(handlePromise);
    stops.push(handle.stop);
    return handle;
  };
  try {
    const upstream = await start(startNodeProcess(here('./protocols-upstream.mjs')));
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
    const plain = await start(startNodeProcess(gatehouseBin, args));
    const tls = await start(
      startNodeProcess(gatehouseBin, [...args, '--tls-cert', certFile, '--tls-key', keyFile], {}),
    );
    const ca = readFileSync(certFile);
    const tlsUrl = tls.url;

    // Each measurement is logged as it ends (a long run shows its progress), the summary at the end.
    const results = {
      push: (...rows) => {
        for (const [label, value] of rows)
          emit(`${label.padEnd(80)} ${Math.round(value).toLocaleString('en-US')}`);
      },
    };
    const summary = result.summary;

    /**
     * The relays measured against the direct connection: Gatehouse, and as references nginx's
     * WebSocket proxy (when installed) and a bare Node `pipe` (bench/servers/tcp-pipe.mjs).
     */
    const relays = [{ name: 'Gatehouse', url: `${plain.url.replace('http', 'ws')}/api/ws`, pid: plain.pid }];
    if (selected.has('websocket')) {
      if (nginxInstalled()) {
        const nginx = await start(startNginx(upstream.url));
        relays.push({
          name: 'nginx (reference)',
          url: `${nginx.url.replace('http', 'ws')}/ws/ws`,
          pid: nginx.pid,
        });
      }
      const pipe = await start(
        startNodeProcess(here('./servers/tcp-pipe.mjs'), [new URL(upstream.url).port]),
      );
      relays.push({
        name: 'Node pipe (reference)',
        url: `${pipe.url.replace('http', 'ws')}/ws`,
        pid: pipe.pid,
      });
    }
    const directUrl = `${upstream.url.replace('http', 'ws')}/ws`;

    // Rounds interleave the direct run and every relay (in an order rotated each round), so a
    // burst of load from elsewhere hits all sides of a ratio alike.
    // `targeted`: the mode WS1 judges (throughput); the one-in-flight modes are reported beside it.
    const websocketRounds = async (label, connections, inFlight, targeted = false) => {
      const direct = [];
      const through = relays.map(() => []);
      for (let round = 0; round < rounds; round++) {
        const order = [-1, ...relays.keys()];
        for (let i = 0; i < round % order.length; i++) order.push(order.shift());
        const measured = new Map();
        for (const index of order) {
          const relay = relays[index];
          const pids = relay ? [upstream.pid, relay.pid] : [upstream.pid];
          measured.set(
            index,
            await wsRateWithCpu(relay?.url ?? directUrl, pids, connections, inFlight, seconds),
          );
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
      const mode = { label, connections, window: inFlight, direct, relays: [] };
      relays.forEach((relay, index) => {
        const runs = through[index];
        const ratios = runs.map((r, round) => r.perSecond / direct[round].perSecond);
        mode.relays.push({ name: relay.name, rounds: runs, ratios });
        summary.push(
          `  ${relay.name} ÷ direct: ${spread(ratios)} over ${rounds} rounds` +
            `${targeted && index === 0 ? ' (target ≥ 0.8)' : ''}; CPU µs/msg relay ${us(runs.map((r) => r.cpuUs[1]))}, ` +
            `client ${us(runs.map((r) => r.clientUs))}, upstream ${us(runs.map((r) => r.cpuUs[0]))}`,
        );
      });
      return mode;
    };
    if (selected.has('websocket')) {
      result.websocket = [
        await websocketRounds('echo, 1 connection, 1 message in flight (latency-bound)', 1, 1),
        await websocketRounds(`echo, ${concurrency} connections, 1 in flight each`, concurrency, 1),
        await websocketRounds(
          `echo, ${concurrency} connections, ${window} in flight each (throughput)`,
          concurrency,
          window,
          true,
        ),
      ];
      // The target is on the throughput mode, Gatehouse (the first relay).
      result.targets.push(
        targetRow(
          'WS1',
          `WebSocket relay ÷ direct, echo, ${concurrency} connections × ${window} in flight (throughput)`,
          result.websocket.at(-1).relays[0].ratios,
          { min: RELAY_MIN },
        ),
      );
    }
    if (selected.has('cache')) {
      const ratios = [];
      const cpu = { static: [], hit: [] };
      const runs = { static: [], hit: [] };
      for (let round = 0; round < rounds; round++) {
        const pair = [
          ['static', `${plain.url}/static`],
          ['hit', `${plain.url}/cached/items/42`],
        ];
        if (round % 2 === 1) pair.reverse();
        const measured = {};
        for (const [name, url] of pair) measured[name] = await httpRateWithCpu(url, plain.pid, load);
        ratios.push(measured.hit.perSecond / measured.static.perSecond);
        cpu.static.push(measured.static.cpuUs);
        cpu.hit.push(measured.hit.cpuUs);
        runs.static.push(measured.static);
        runs.hit.push(measured.hit);
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
        `cache hit ÷ static: ${spread(ratios)} over ${rounds} rounds (target ≥ 1.0); ` +
          `gateway CPU µs/request static ${us(cpu.static)}, hit ${us(cpu.hit)}; ` +
          `hit CPU ÷ static CPU per round: ${spread(cpuRatios)} (≤ 1.0: a hit costs no more)`,
      );
      result.cache = { ...runs, ratios, cpuRatios };
      // By CPU as in report.mjs: static CPU ÷ hit CPU per request, higher is better.
      result.targets.push(
        targetRow('C1', 'cache hit ÷ static route (requests/s)', ratios, {
          min: CACHE_HIT_MIN,
          byCpu: median(cpu.static.map((staticUs, round) => staticUs / cpu.hit[round])),
        }),
      );
    }
    if (selected.has('h2')) {
      const h1 = await h1TlsRate(`${tlsUrl}/static`, ca, load);
      const h2 = await h2TlsRate(`${tlsUrl}/static`, ca, load);
      results.push(
        ['HTTP/1.1 over TLS, static (req/s)', h1],
        ['HTTP/2 over TLS, static, one connection (req/s)', h2],
      );
      summary.push(`h2 over TLS ÷ h1 over TLS: ${(h2 / h1).toFixed(2)} (reported)`);
      result.h2 = { h1, h2, ratio: h2 / h1 };
      result.targets.push(targetRow('H1', 'HTTP/2 over TLS ÷ HTTP/1.1 over TLS, static route', [h2 / h1]));
    }

    for (const line of summary) emit(line);
    return result;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const isEntry = (() => {
  try {
    return Boolean(process.argv[1]) && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
})();

if (isEntry) {
  await runProtocols({
    seconds: Number(process.env.BENCH_SECONDS ?? 5),
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    only: (process.env.BENCH_ONLY ?? 'websocket,cache,h2').split(','),
    concurrency: Number(process.env.BENCH_CONCURRENCY ?? 32),
    window: Number(process.env.BENCH_WINDOW ?? 16),
  });
}
