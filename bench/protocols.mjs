// `npm run bench:protocols`: the variants of docs/PROTOCOLS.md, each a ratio of the same run
// (docs/BENCHMARKS.md "Protocols"):
//   - WebSocket relay: echo messages/s through Gatehouse ÷ straight to the upstream (target ≥ 0.8);
//   - cache hit: a cached proxied route ÷ the static route, requests/s (target ≥ 1.0);
//   - HTTP/2 over TLS beside HTTP/1.1 over TLS, requests/s of the static route (reported).
// The load generator is this Node process, so on a small machine it is part of the bottleneck:
// compare ratios only, and expect noise. BENCH_SECONDS (default 5), BENCH_CONCURRENCY (32),
// BENCH_ROUNDS (WebSocket direct/relayed pairs, interleaved, default 3), BENCH_ONLY (a comma
// list of websocket, cache, h2; default all).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { connect as h2connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { startNodeProcess } from './lib.mjs';
import { createSelfSigned } from '../scripts/self-signed.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'websocket,cache,h2').split(','));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
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

async function httpRate(url) {
  const pool = new Pool(new URL(url).origin, { connections: CONCURRENCY });
  const path = new URL(url).pathname;
  try {
    await (await pool.request({ path, method: 'GET' })).body.text();
    return await rate(async () => {
      const { statusCode, body } = await pool.request({ path, method: 'GET' });
      await body.text();
      if (statusCode !== 200) throw new Error(`${url}: ${statusCode}`);
    });
  } finally {
    await pool.close();
  }
}

/** CPU time (ms) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ 100
  } catch {
    return undefined;
  }
}

/** Messages/s of wsRate, and the CPU µs per message each listed process spent meanwhile. */
async function wsRateWithCpu(url, pids, window) {
  const before = pids.map(cpuMs);
  const self = process.cpuUsage();
  const started = performance.now();
  const perSecond = await wsRate(url, window);
  const messages = perSecond * SECONDS;
  const selfUs = process.cpuUsage(self);
  // The warm-up (half of SECONDS) is included in the CPU time: scale it to the measured part.
  const share = SECONDS / ((performance.now() - started) / 1000);
  const cpu = pids.map((pid, i) => {
    const after = cpuMs(pid);
    return after === undefined || before[i] === undefined
      ? NaN
      : ((after - before[i]) * 1000 * share) / messages;
  });
  return { perSecond, clientUs: ((selfUs.user + selfUs.system) * share) / messages, cpu };
}

/**
 * Messages/s with WINDOW messages in flight on each of CONCURRENCY connections (each echo sends
 * the next), after a warm-up: a throughput measure. With one message in flight (WINDOW 1) each
 * connection waits a full round trip per message, so the rate measures latency, and a relay's
 * extra hop (two more process wake-ups on a loaded machine) shows in full.
 */
async function wsRate(url, window = 1) {
  if (window > 1) return wsWindowRate(url, window);
  const sockets = await Promise.all(
    Array.from(
      { length: CONCURRENCY },
      () =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        }),
    ),
  );
  const payload = Buffer.alloc(256, 1);
  try {
    return await rate(
      (i) =>
        new Promise((resolve) => {
          sockets[i].once('message', resolve);
          sockets[i].send(payload);
        }),
    );
  } finally {
    for (const ws of sockets) ws.terminate();
  }
}

async function openSockets(url) {
  return Promise.all(
    Array.from(
      { length: CONCURRENCY },
      () =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        }),
    ),
  );
}

async function wsWindowRate(url, window) {
  const sockets = await openSockets(url);
  const payload = Buffer.alloc(256, 1);
  const run = (seconds) =>
    new Promise((resolve) => {
      const deadline = performance.now() + seconds * 1000;
      let received = 0;
      let open = sockets.length;
      for (const ws of sockets) {
        let inFlight = 0;
        const onMessage = () => {
          received++;
          inFlight--;
          if (performance.now() < deadline) {
            inFlight++;
            ws.send(payload);
          } else if (inFlight === 0) {
            ws.off('message', onMessage);
            if (--open === 0) resolve(received);
          }
        };
        ws.on('message', onMessage);
        for (let i = 0; i < window; i++) {
          inFlight++;
          ws.send(payload);
        }
      }
    });
  try {
    await run(SECONDS / 2);
    return (await run(SECONDS)) / SECONDS;
  } finally {
    for (const ws of sockets) ws.terminate();
  }
}

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

  const results = [];
  const summary = [];
  // Interleaved pairs, so a burst of load from elsewhere hits both sides of a ratio alike.
  const websocketPairs = async (label, window) => {
    const ratios = [];
    let last;
    for (let round = 0; round < ROUNDS; round++) {
      const direct = await wsRateWithCpu(upstream.url.replace('http', 'ws') + '/ws', [upstream.pid], window);
      const relayed = await wsRateWithCpu(
        plain.url.replace('http', 'ws') + '/api/ws',
        [upstream.pid, plain.pid],
        window,
      );
      ratios.push(relayed.perSecond / direct.perSecond);
      results.push(
        [`WebSocket ${label}, direct (msg/s), round ${round + 1}`, direct.perSecond],
        [`WebSocket ${label}, through Gatehouse (msg/s), round ${round + 1}`, relayed.perSecond],
      );
      last = relayed;
    }
    ratios.sort((x, y) => x - y);
    summary.push(
      `WebSocket ${label}: relay ÷ direct median ${ratios[Math.floor(ratios.length / 2)].toFixed(2)}, ` +
        `spread ${ratios[0].toFixed(2)}–${ratios[ratios.length - 1].toFixed(2)} over ${ROUNDS} rounds (target ≥ 0.8)`,
      `  CPU µs per message in the last relayed round: client ${last.clientUs.toFixed(1)}, upstream ` +
        `${last.cpu[0].toFixed(1)}, gateway ${last.cpu[1].toFixed(1)}`,
    );
  };
  if (ONLY.has('websocket')) {
    await websocketPairs('echo, 1 in flight per connection (latency-bound)', 1);
    await websocketPairs('echo, 16 in flight per connection (throughput)', 16);
  }
  if (ONLY.has('cache')) {
    const staticRate = await httpRate(`${plain.url}/static`);
    const cacheHit = await httpRate(`${plain.url}/cached/items/42`);
    results.push(['static route (req/s)', staticRate], ['cached proxied route, hits (req/s)', cacheHit]);
    summary.push(`cache hit ÷ static:        ${(cacheHit / staticRate).toFixed(2)} (target ≥ 1.0)`);
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

  for (const [label, value] of results)
    console.log(`${label.padEnd(64)} ${Math.round(value).toLocaleString('en-US')}`);
  for (const line of summary) console.log(line);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
