// CPU profile of one Workers variant under load, in raw workerd: starts it with
// `--inspector-addr`, checks it, starts V8's sampling profiler over the DevTools protocol
// (Profiler.start on the Worker's inspector WebSocket), loads it with wrk, stops the profiler and
// prints where the JavaScript self time went, by function, in µs per request served, beside the
// workerd process's CPU µs per request (JavaScript is only part of it: the HTTP server, the
// outbound fetch and the streams run in workerd's C++).
//   node bench/workers/profile.mjs [VARIANT] [--duration 8] [--top 25] [--interval 100] [--keep DIR]
// VARIANT is a Workers variant of bench/run.mjs (default workers-proxied; the floors too, to
// compare). --keep saves the .cpuprofile (Chrome DevTools › Performance, or speedscope).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds, peakRssMiB, runWrk, wrkVersion } from '../lib.mjs';
import { connectInspector } from './inspector.mjs';
import { checkVariant, DEFAULT_BIN, prepareBench, selectVariants, SMALL_ROUTES, track } from '../setup.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '8' },
    top: { type: 'string', default: '25' },
    interval: { type: 'string', default: '100' },
    keep: { type: 'string' },
  },
});
const name = positionals[0] ?? 'workers-proxied';
if (!name.startsWith('workers-')) {
  console.error(
    'bench/workers/profile.mjs profiles Workers variants (workers-*); bench/profile.mjs the Node ones',
  );
  process.exit(2);
}
if (!wrkVersion()) {
  console.error('wrk (the load generator) is not installed: apt-get install wrk');
  process.exit(2);
}
const duration = Number(values.duration);

const bench = await prepareBench({
  gatehouseBin: DEFAULT_BIN,
  largeRoutes: name.endsWith('-large') ? Number(process.env.BENCH_ROUTES || 10_000) : SMALL_ROUTES,
  workers: true,
  workerdArgs: ['--inspector-addr=127.0.0.1:0'],
});
try {
  // The bundle again, with its names kept, so the profile names Gatehouse's functions.
  const { buildWorker } = await import('../../scripts/build-worker.mjs');
  await buildWorker({
    config: 'none',
    outfile: join(bench.dir, 'workers', 'gatehouse.js'),
    minifyIdentifiers: false,
  });
  const variant = selectVariants(bench.variants, [name])[0];
  const server = await track(variant.start());
  try {
    await checkVariant(variant, server.url);
    // Warm-up: config compiled, JIT settled, connections pooled before the profile starts.
    await runWrk(server.url + variant.path, { seconds: 2, headers: variant.headers });
    const inspector = await connectInspector(server.inspectorPort);
    try {
      await inspector.send('Profiler.enable');
      await inspector.send('Profiler.setSamplingInterval', { interval: Number(values.interval) });
      await inspector.send('Profiler.start');
      const cpu0 = cpuSeconds(server.pid);
      const result = await runWrk(server.url + variant.path, { seconds: duration, headers: variant.headers });
      const cpu = cpuSeconds(server.pid) - cpu0;
      const { profile } = await inspector.send('Profiler.stop');
      console.log(
        `${variant.label}: ${Math.round(result.rps).toLocaleString('en-US')} req/s under the profiler, ` +
          `workerd CPU ${((cpu / result.requests) * 1e6).toFixed(1)} µs/req, peak RSS ${peakRssMiB(server.pid)} MiB ` +
          `(wrk -t1 -c32 -d${duration}s; the profiler slows the Worker: compare shares, not req/s)\n`,
      );
      console.log(summarize(profile, Number(values.top), result.requests));
      if (values.keep) {
        await mkdir(values.keep, { recursive: true });
        const file = join(values.keep, `${name}.cpuprofile`);
        await writeFile(file, JSON.stringify(profile));
        console.log(`\nprofile saved: ${file}`);
      }
    } finally {
      inspector.close();
    }
    await checkVariant(variant, server.url);
  } finally {
    await server.stop();
  }
} catch (error) {
  console.error(`profile: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
} finally {
  await bench.close();
}

/** Self time by function, with its main caller, and total time (self + callees) of the top frames. */
function summarize(profile, topN, requests) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const fns = new Map(); // label → { self, callers }
  const inclusive = new Map(); // label → µs with this frame anywhere on the stack
  for (const [id, us] of self) {
    const node = byId.get(id);
    const label = labelOf(node.callFrame);
    const entry = fns.get(label) ?? { us: 0, callers: new Map() };
    entry.us += us;
    const parent = parentOf.get(id);
    const caller = parent ? labelOf(parent.callFrame) : '(root)';
    entry.callers.set(caller, (entry.callers.get(caller) ?? 0) + us);
    fns.set(label, entry);
    const seen = new Set();
    for (let n = node; n; n = parentOf.get(n.id)) {
      const l = labelOf(n.callFrame);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + us);
    }
  }
  const busy = total - (fns.get('(idle)')?.us ?? 0);
  const fmt = (us) =>
    `${((us / total) * 100).toFixed(1).padStart(5)}% ${(us / requests).toFixed(2).padStart(6)} µs/req`;
  const sorted = (map, value) => [...map].sort((a, b) => value(b[1]) - value(a[1]));
  const lines = [
    `JavaScript thread: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / requests).toFixed(1)} µs per request not idle`,
    '',
    `top ${topN} functions by self time (← caller):`,
  ];
  for (const [label, { us, callers }] of sorted(fns, (v) => v.us).slice(0, topN)) {
    lines.push(`${fmt(us)}  ${label}`);
    if (label.startsWith('(')) continue;
    const main = sorted(callers, (v) => v)
      .slice(0, 2)
      .map(([caller, cus]) => `${caller} ${((cus / us) * 100).toFixed(0)}%`);
    lines.push(`                       ← ${main.join(';  ')}`);
  }
  lines.push('', `top ${topN} functions by total time (self and what they call):`);
  for (const [label, us] of sorted(inclusive, (v) => v).slice(0, topN)) lines.push(`${fmt(us)}  ${label}`);
  return lines.join('\n');
}

function labelOf({ functionName, url, lineNumber, columnNumber }) {
  const where = url ? ` ${url.split('/').pop()}:${lineNumber + 1}:${columnNumber + 1}` : '';
  return `${functionName || '(anonymous)'}${where}`;
}
