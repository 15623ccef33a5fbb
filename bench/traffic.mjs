// Traffic-control variants of the benchmark (docs/TRAFFIC.md, docs/BENCHMARKS.md targets T1–T3):
// the same proxied request on an open route, on a route limited through the memory store, on one
// limited through a real Redis (Debian's redis-server, started on a free port for the variant and
// stopped by PID with it), and on an API-key route. Policies are far above what the load reaches,
// so every request is admitted and every figure is the cost of counting, not of refusing.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startNodeProcess } from './lib.mjs';

export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
/** The API key of the bench consumer (a bench-only value, in the generated config's env). */
export const BENCH_API_KEY = 'gh_bench-api-key-0123456789abcdefghijklmnopqrstu';

function config(upstreamUrl, store) {
  const proxy = { type: 'http_proxy', server: 'upstream' };
  return {
    title: 'Gatehouse benchmark, traffic control',
    servers: [{ alias: 'upstream', url: upstreamUrl }],
    rate_limits: { bench: { limit: 6_000_000, window_s: 60, key: ['$request.ip'] } },
    gateway: { rate_limit_store: store },
    consumers: { bench: { keys: ['$env.BENCH_API_KEY'] } },
    authorizers: { keys: { type: 'api_key', header: 'x-api-key' } },
    paths: [
      { method: 'GET', path: '/open/{.+}', integration: proxy },
      { method: 'GET', path: '/limited/{.+}', rate_limit: 'bench', integration: proxy },
      { method: 'GET', path: '/keyed/{.+}', auth: 'keys', integration: proxy },
    ],
  };
}

/** Writes the memory-store and redis-store configs; the Redis URL comes from $env.REDIS_URL. */
export async function writeTrafficConfigs(dir, upstreamUrl) {
  const memory = join(dir, 'api-config-traffic-memory.json');
  const redis = join(dir, 'api-config-traffic-redis.json');
  await writeFile(memory, JSON.stringify(config(upstreamUrl, { type: 'memory' })));
  await writeFile(
    redis,
    JSON.stringify(
      config(upstreamUrl, { type: 'redis', url: '$env.REDIS_URL', timeout_ms: 1000, on_error: 'deny' }),
    ),
  );
  return { memory, redis };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** redis-server on a free port, no persistence; resolves once it accepts connections. */
async function startRedis() {
  const port = await freePort();
  const child = spawn(
    REDIS_SERVER_BIN,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${REDIS_SERVER_BIN}: ${error.message}`));
    });
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout.resume();
        resolve();
      }
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
}

/**
 * @param {{ gatehouseBin: string, traffic: { memory: string, redis: string }, nodeArgs?: string[] }} ctx
 * @param {{ expectUpstreamBody(path: string): (response: object) => void }} checks
 */
export function trafficVariants(ctx, { expectUpstreamBody }) {
  const start = (config, env = {}) =>
    startNodeProcess(
      ctx.gatehouseBin,
      ['start', '--config', config, '--port', '0', '--log-level', 'silent'],
      {
        env: { BENCH_API_KEY, ...env },
        nodeArgs: ctx.nodeArgs ?? [],
      },
    );
  // The key rides along on every variant, so the ratios compare checking it with forwarding it.
  const headers = { 'x-api-key': BENCH_API_KEY };
  const limitedCheck = (response) => {
    expectUpstreamBody('/items/42')(response);
    if (!/^"bench";r=\d+;t=\d+$/.test(response.headers.ratelimit ?? '')) {
      throw new Error(`expected a RateLimit field, got ${JSON.stringify(response.headers.ratelimit)}`);
    }
  };
  return [
    {
      name: 'traffic-open',
      label: 'Gatehouse, proxied route, no limit, no key check (the API key header sent)',
      group: 'traffic',
      start: () => start(ctx.traffic.memory),
      path: '/open/items/42',
      headers,
      check: expectUpstreamBody('/items/42'),
    },
    {
      name: 'traffic-memory',
      label: 'Gatehouse, proxied route limited per client address, memory store',
      group: 'traffic',
      start: () => start(ctx.traffic.memory),
      path: '/limited/items/42',
      headers,
      check: limitedCheck,
    },
    {
      name: 'traffic-api-key',
      label: 'Gatehouse, proxied route behind an api_key authorizer',
      group: 'traffic',
      start: () => start(ctx.traffic.memory),
      path: '/keyed/items/42',
      headers,
      check: expectUpstreamBody('/items/42'),
      refusals: [
        { why: 'no key', headers: {}, status: 401 },
        { why: 'unknown key', headers: { 'x-api-key': `${BENCH_API_KEY}x` }, status: 401 },
      ],
    },
    {
      name: 'traffic-redis',
      label: 'Gatehouse, proxied route limited per client address, redis store (local redis-server)',
      group: 'traffic',
      start: async () => {
        const redis = await startRedis();
        try {
          const gatehouse = await start(ctx.traffic.redis, { REDIS_URL: redis.url });
          return {
            ...gatehouse,
            stop: async () => {
              await gatehouse.stop();
              await redis.stop();
            },
          };
        } catch (error) {
          await redis.stop();
          throw error;
        }
      },
      path: '/limited/items/42',
      headers,
      check: limitedCheck,
    },
  ];
}
