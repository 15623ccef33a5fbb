// Where a request's CPU goes, in µs per request, for Node variants side by side: each variant runs
// under `node --perf-basic-prof` and Linux `perf record` (every thread, kernel included) while wrk
// loads it; each sample is charged to the first JavaScript frame on its stack (so V8 builtins,
// inline caches and system calls count for the module that called them), else to garbage
// collection, the kernel or other native code. Divided by the requests wrk completed in the same
// window, the figures add up to the process's CPU per request.
//   node bench/perf-breakdown.mjs gatehouse-proxied,node-floor-proxy [--seconds 8] [--warmup 8] [--top 30] [--repeat 2]
// The warm-up is long because V8 is still optimising for seconds after a server starts: after a
// 3 s warm-up, 4.3% of the samples of an 8 s window of gatehouse-proxied were V8's background
// compiler, nearly all in its first second (docs/BENCHMARKS.md, session 10), and they showed up
// as "other native" against the floor, which has less code to compile.
// Why perf and not --cpu-prof: V8's profiler cannot see the kernel, and it charged the response
// write's system call time to whichever JavaScript frame was on top. Needs `perf` (Debian
// linux-perf) and wrk. On a virtual machine the hypervisor's steals show up as every category of
// one run growing by the same factor (the kernel's share included): compare runs by shares of the
// same categories, and repeat (`--repeat`) to see it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { runWrk, sleep, wrkVersion } from './lib.mjs';
import { checkVariant, DEFAULT_BIN, prepareBench, selectVariants, SMALL_ROUTES } from './setup.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '8' },
    top: { type: 'string', default: '30' },
    repeat: { type: 'string', default: '1' },
    frequency: { type: 'string', default: '2000' },
  },
});
const names = (positionals[0] ?? 'gatehouse-proxied,node-floor-proxy').split(',');
const seconds = Number(values.seconds);
const frequency = Number(values.frequency);
if (!wrkVersion() || spawnSync('perf', ['--version']).status !== 0) {
  console.error('needs wrk and perf: apt-get install wrk linux-perf');
  process.exit(2);
}

const dir = await mkdtemp(join(tmpdir(), 'gatehouse-perf-'));
const bench = await prepareBench({
  gatehouseBin: process.env.GATEHOUSE_BIN || DEFAULT_BIN,
  largeRoutes: SMALL_ROUTES,
  nodeArgs: ['--perf-basic-prof'],
});
/** One column per variant and run: label, requests, µs per request by category. */
const columns = [];
try {
  const variants = selectVariants(bench.variants, names).sort(
    (a, b) => names.indexOf(a.name) - names.indexOf(b.name),
  );
  for (let run = 1; run <= Number(values.repeat); run++) {
    for (const variant of variants) {
      const server = await variant.start();
      try {
        await checkVariant(variant, server.url);
        const target = server.url + variant.path;
        await runWrk(target, { seconds: Number(values.warmup), headers: variant.headers });
        const data = join(dir, `${variant.name}-${run}.data`);
        const perf = spawn(
          'perf',
          ['record', '-F', String(frequency), '-e', 'cpu-clock', '-g', '-p', String(server.pid), '-o', data],
          { stdio: 'ignore' },
        );
        await sleep(300);
        const load = await runWrk(target, { seconds, headers: variant.headers });
        perf.kill('SIGINT');
        await new Promise((resolve) => perf.once('exit', resolve));
        const samples = await chargeSamples(data);
        const perRequest = new Map();
        for (const [category, count] of samples) {
          perRequest.set(category, ((count / frequency) * 1e6) / load.requests);
        }
        columns.push({ label: `${variant.name}${values.repeat === '1' ? '' : ` #${run}`}`, perRequest });
      } finally {
        await server.stop();
      }
    }
  }
} finally {
  await bench.close();
  await rm(dir, { recursive: true, force: true });
}
print(columns, Number(values.top));

/** Samples per category: the module of the first JavaScript frame on the stack, else native. */
async function chargeSamples(data) {
  const script = spawn('perf', ['script', '-i', data, '-F', 'ip,sym'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const counts = new Map();
  let frames = [];
  const charge = () => {
    if (frames.length === 0) return;
    const category = categoryOf(frames);
    counts.set(category, (counts.get(category) ?? 0) + 1);
    frames = [];
  };
  for await (const line of createInterface({ input: script.stdout })) {
    if (line.trim() === '') charge();
    else frames.push(line.trim().replace(/^[0-9a-f]+\s+/, ''));
  }
  charge();
  return counts;
}

function categoryOf(frames) {
  for (const frame of frames) {
    if (!frame.startsWith('JS:')) continue;
    const dependency = /\/node_modules\/(@[^/]+\/[^/]+|[^/]+)\//.exec(frame);
    if (dependency) return dependency[1];
    const dist = /\/dist\/([^:]+)/.exec(frame);
    if (dist) return `gatehouse ${dist[1]}`;
    if (frame.includes('wasm-function')) return 'wasm (llhttp)';
    const builtin = /(node:[\w/_-]+)/.exec(frame);
    if (builtin) return builtin[1];
    const file = /([\w.-]+\.m?js)/.exec(frame);
    return file ? file[1] : 'other JavaScript';
  }
  const leaf = frames[0];
  if (/Scaveng|Heap::|GC|Mark|Sweep|Evacuat|Compactor|Concurrent/.test(leaf)) return 'garbage collection';
  if (/^(pvm_|tcp_|__|sk|ip_|do_|sys|entry|ep_|fdget|inet|x64|syscall|copy_|_raw|schedule|irq)/.test(leaf))
    return 'kernel (no JavaScript caller)';
  return 'other native';
}

function print(columns, top) {
  const totals = new Map();
  for (const { perRequest } of columns) {
    for (const [category, us] of perRequest) totals.set(category, (totals.get(category) ?? 0) + us);
  }
  const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
  const width = Math.max(...rows.map(([category]) => category.length), 10);
  const cell = (text) => String(text).padStart(Math.max(12, ...columns.map((c) => c.label.length)) + 2);
  console.log('µs per request'.padEnd(width) + columns.map((c) => cell(c.label)).join(''));
  const sum = (c) => [...c.perRequest.values()].reduce((a, b) => a + b, 0);
  console.log('total'.padEnd(width) + columns.map((c) => cell(sum(c).toFixed(1))).join(''));
  for (const [category] of rows) {
    console.log(
      category.padEnd(width) +
        columns.map((c) => cell((c.perRequest.get(category) ?? 0).toFixed(2))).join(''),
    );
  }
}
