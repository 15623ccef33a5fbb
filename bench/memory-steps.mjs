// What a `gatehouse start` process holds, step by step (docs/ARCHITECTURE.md "Memory"): bare Node,
// then each runtime dependency imported in the order the gateway needs it, then the gateway's own
// modules, the compiled config listening, the first static and the first proxied request, and
// the idle figure 1 s later (bench/run.mjs reads its idle RSS the same way). Cumulative, in one
// process, a full garbage collection before each reading. Columns, in MiB: VmRSS (and its change),
// VmHWM (the peak so far), the Node binary's resident pages (file-backed), anonymous memory
// (the V8 heap and malloc), then process.memoryUsage()'s heapTotal, heapUsed, external and
// arrayBuffers. The start-up devices of `gatehouse start` (young generation cap, WebAssembly at
// Liftoff) are applied first, as src/cli/start.ts does.
//   npm run build && node bench/memory-steps.mjs [--routes 10] [--no-devices]
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { writeConfigs } from './configs.mjs';
import { sleep, startNodeProcess } from './lib.mjs';

const { values } = parseArgs({
  options: { routes: { type: 'string', default: '10' }, 'no-devices': { type: 'boolean', default: false } },
});
const ROOT = new URL('..', import.meta.url);
const dist = (path) => new URL(`dist/${path}`, ROOT).href;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
let letYoungGenerationGrow = () => {};
if (!values['no-devices']) {
  letYoungGenerationGrow = (await import(dist('adapters/node/young-generation.js'))).capYoungGeneration();
  (await import(dist('adapters/node/wasm-baseline.js'))).keepWasmAtBaseline();
}

const MiB = 2 ** 20;
const statusMiB = (field) =>
  Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;

/** Resident pages of the Node binary and anonymous memory, from /proc/self/smaps. */
function smaps() {
  let binary = 0;
  let anonymous = 0;
  let mapping = '';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      mapping = head[1];
      continue;
    }
    const field = /^(Rss|Anonymous):\s+(\d+)/.exec(line);
    if (field?.[1] === 'Rss' && mapping === process.execPath) binary += Number(field[2]) / 1024;
    if (field?.[1] === 'Anonymous') anonymous += Number(field[2]) / 1024;
  }
  return { binary, anonymous };
}

let previous = 0;
function step(what) {
  gc();
  const usage = process.memoryUsage();
  const { binary, anonymous } = smaps();
  const rss = statusMiB('VmRSS');
  const cells = [
    rss.toFixed(1).padStart(6),
    `(${rss - previous >= 0 ? '+' : ''}${(rss - previous).toFixed(1)})`.padStart(8),
    statusMiB('VmHWM').toFixed(1).padStart(6),
    binary.toFixed(1).padStart(6),
    anonymous.toFixed(1).padStart(6),
    ...[usage.heapTotal, usage.heapUsed, usage.external, usage.arrayBuffers].map((n) =>
      (n / MiB).toFixed(1).padStart(6),
    ),
  ];
  console.log(`${what.padEnd(44)}${cells.join(' ')}`);
  previous = rss;
}

const upstream = await startNodeProcess(new URL('./upstream.mjs', import.meta.url).pathname);
const dir = join(tmpdir(), `gatehouse-memory-steps-${process.pid}`);
let gatehouse;
try {
  // A throw-away RS256 key for the config's inline JWKS, by node:crypto (jose is measured below).
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsPublicJwk = {
    ...publicKey.export({ format: 'jwk' }),
    kid: 'bench-rs256',
    alg: 'RS256',
    use: 'sig',
  };
  const routes = Number(values.routes);
  const configs = await writeConfigs(dir, { upstreamUrl: upstream.url, rsPublicJwk, routeCounts: [routes] });
  console.log(
    `${'step'.padEnd(44)}${['rss', 'Δrss', 'hwm', 'binary', 'anon', 'heapT', 'heapU', 'extern', 'arrBuf'].map((h) => h.padStart(6)).join(' ')}`,
  );
  step('bare node (+ this script and node:crypto)');
  // The runtime dependencies, in the order the gateway's modules import them.
  for (const specifier of [
    'node:http',
    'node:https',
    'node:cluster',
    'undici/lib/dispatcher/agent.js',
    'jose',
    '@sinclair/typebox',
    '@sinclair/typebox/value',
    '@hono/node-server',
    'oauth4webapi',
    '@noble/hashes/sha2',
  ]) {
    await import(specifier);
    step(`import ${specifier}`);
  }
  await import(dist('cli/main.js'));
  step('dist/cli/main.js (the CLI entry)');
  const { startGatehouse } = await import(dist('adapters/node/start-gatehouse.js'));
  step('start-gatehouse.js (every gateway module)');
  const { resolveConfigSource } = await import(dist('adapters/node/config-source.js'));
  const { createJsonLogger } = await import(dist('observability/logger.js'));
  gatehouse = await startGatehouse({
    source: resolveConfigSource(configs[routes], {}),
    env: {},
    logger: createJsonLogger('silent', () => {}),
    host: '127.0.0.1',
    port: 0,
    strict: false,
    bindingModules: [],
    adminListener: true,
    h2c: false,
  });
  letYoungGenerationGrow();
  step(`config compiled (${routes} routes), listening`);
  await get(`${gatehouse.url}/static`);
  step('first static request');
  await get(`${gatehouse.url}/api/items/42`);
  step('first proxied request');
  await sleep(1000);
  step('1 s later (the idle figure)');
} finally {
  await gatehouse?.close(100);
  await upstream.stop();
  await rm(dir, { recursive: true, force: true });
}

function get(url) {
  return new Promise((resolve, reject) => {
    request(url, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    })
      .on('error', reject)
      .end();
  });
}
