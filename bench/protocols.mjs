// `npm run bench:protocols`: the variants of docs/PROTOCOLS.md, each a ratio of the same run
// (docs/BENCHMARKS.md "Protocols"):
//   - WebSocket relay: echo messages/s through Gatehouse ÷ straight to the upstream (target ≥ 0.8);
//   - cache hit: a cached proxied route ÷ the static route, requests/s (target ≥ 1.0);
//   - HTTP/2 over TLS beside HTTP/1.1 over TLS, requests/s of the static route (reported).
// The load generator is this Node process, so on a small machine it is part of the bottleneck:
// compare ratios only, and expect noise. BENCH_SECONDS (default 5), BENCH_CONCURRENCY (32).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { connect as h2connect } from 'node:http2';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { startNodeProcess } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
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

async function wsRate(url) {
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
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
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
  const ca = (await import('node:fs')).readFileSync(certFile);
  const tlsUrl = tls.url;

  const results = [];
  const direct = await wsRate(upstream.url.replace('http', 'ws') + '/ws');
  const relayed = await wsRate(plain.url.replace('http', 'ws') + '/api/ws');
  results.push(
    ['WebSocket echo, direct to the upstream (msg/s)', direct],
    ['WebSocket echo through Gatehouse (msg/s)', relayed],
  );
  const staticRate = await httpRate(`${plain.url}/static`);
  const cacheHit = await httpRate(`${plain.url}/cached/items/42`);
  results.push(['static route (req/s)', staticRate], ['cached proxied route, hits (req/s)', cacheHit]);
  const h1 = await h1TlsRate(`${tlsUrl}/static`, ca);
  const h2 = await h2TlsRate(`${tlsUrl}/static`, ca);
  results.push(
    ['HTTP/1.1 over TLS, static (req/s)', h1],
    ['HTTP/2 over TLS, static, one connection (req/s)', h2],
  );

  for (const [label, value] of results)
    console.log(`${label.padEnd(52)} ${Math.round(value).toLocaleString('en-US')}`);
  console.log(`WebSocket relay ÷ direct: ${(relayed / direct).toFixed(2)} (target ≥ 0.8)`);
  console.log(`cache hit ÷ static:        ${(cacheHit / staticRate).toFixed(2)} (target ≥ 1.0)`);
  console.log(`h2 over TLS ÷ h1 over TLS: ${(h2 / h1).toFixed(2)} (reported)`);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
