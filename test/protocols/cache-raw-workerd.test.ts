import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findWorkerd, startWorkerd, wranglerCompatibility } from '../../bench/workers/workerd.mjs';
import { WORKER_BUNDLE } from '../helpers/workerd-target.js';
import { closeServer, listenOnLoopback } from '../fixtures/loopback.js';

/**
 * The Worker's response cache in plain `workerd serve` (no Miniflare), whose config names no
 * cache service: workerd refuses the Cache API there ("No Cache was configured"). The store
 * must say so once in the log and go on caching in the isolate's memory (docs/WORKERS.md
 * "Response cache"), not fail the requests.
 */

let upstream: Server;
let worker: Awaited<ReturnType<typeof startWorkerd>>;
let dir: string;
let calls = 0;

beforeAll(async () => {
  upstream = createServer((_req, res) => {
    calls++;
    res.writeHead(200, { 'cache-control': 'max-age=60' }).end(`answer ${calls}`);
  });
  const url = await listenOnLoopback(upstream);
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-raw-workerd-'));
  copyFileSync(WORKER_BUNDLE, join(dir, 'index.js'));
  worker = await startWorkerd({
    bin: findWorkerd().bin,
    dir,
    name: 'cache',
    module: join(dir, 'index.js'),
    compatibility: wranglerCompatibility(),
    bindings: {
      SAG_API_CONFIG_JSON: JSON.stringify({
        servers: [{ alias: 'up', url }],
        paths: [
          {
            method: 'GET',
            path: '/c/{.+}',
            integration: { type: 'http_proxy', server: 'up' },
            cache: { ttl_s: 30 },
          },
        ],
      }),
      GATEHOUSE_LOG_LEVEL: 'warn',
    },
  });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await closeServer(upstream);
  rmSync(dir, { recursive: true, force: true });
});

it('caches in memory when workerd has no Cache API, and logs that once', async () => {
  const answers = [];
  for (let i = 0; i < 3; i++) {
    const response = await fetch(`${worker.url}/c/item`);
    answers.push([response.status, response.headers.get('x-cache'), await response.text()]);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the background Cache API write
  }
  expect(answers).toEqual([
    [200, 'MISS', 'answer 1'],
    [200, 'HIT', 'answer 1'],
    [200, 'HIT', 'answer 1'],
  ]);
  expect(calls).toBe(1);
  const warnings = worker.stderrTail().match(/cache api unavailable/g) ?? [];
  expect(warnings.length).toBe(1);
});
