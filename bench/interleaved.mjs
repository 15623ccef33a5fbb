// Interleaved A/B comparison for small differences on a shared, noisy machine: every variant is
// started once and kept running, then loaded in short turns, round after round, in a rotating
// order, so a slow minute of the machine hits every variant alike. Each round gives one ratio
// per variant (to the first one named, by requests/s and by server CPU µs per request); the
// median over the rounds is printed. Prints only; docs/BENCHMARKS.md quotes its output.
//   node bench/interleaved.mjs gatehouse-proxied,gatehouse-metrics,… [--rounds 8] [--seconds 2]
// With `--baseline-bin PATH` (another build's bin/gatehouse.js, e.g. a copy of main's bin/, dist/
// and package.json), every named Gatehouse variant also runs from that build as `NAME@baseline`,
// interleaved with this build's: a before/after comparison in one run. The baseline slot was
// measured favoured by 6-20% with the same code on both sides (docs/BENCHMARKS.md, session 7):
// run a before/after both ways (each build once as the baseline) and read the geometric mean.
// Each variant's idle RSS
// (read as bench/run.mjs reads it: 1 s after the checks, before any load) is printed beside.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { interleave, roundRatios, turnTargets } from './interleave.mjs';
import { IDLE_SETTLE_MS, median, peakRssMiB, rssMiB, runWrk, sleep, wrkVersion } from './lib.mjs';
import { checkVariant, DEFAULT_BIN, prepareBench, selectVariants, SMALL_ROUTES } from './setup.mjs';
import { createVariants } from './variants.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    'baseline-bin': { type: 'string' },
  },
});
const names = (
  positionals[0] ?? 'gatehouse-proxied,gatehouse-metrics,gatehouse-tracing-10,gatehouse-propagation'
).split(',');
if (!wrkVersion()) {
  console.error('wrk (the load generator) is not installed: apt-get install wrk');
  process.exit(2);
}
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const largeRoutes = names.some((name) => name.endsWith('-large'))
  ? Number(process.env.BENCH_ROUTES || 10_000)
  : SMALL_ROUTES;
const bench = await prepareBench({
  gatehouseBin: DEFAULT_BIN,
  largeRoutes,
  nodeArgs: [],
  // The Workers variants (bench/workers/): the bundle is built only when one is named.
  workers: names.some((name) => name.startsWith('workers-')),
});
const running = [];
try {
  const variants = selectVariants(bench.variants, names).sort(
    (a, b) => names.indexOf(a.name) - names.indexOf(b.name),
  );
  if (values['baseline-bin'] !== undefined) {
    const baseline = createVariants({
      upstream: bench.upstream,
      gatehouseBin: resolve(values['baseline-bin']),
      configs: bench.configs,
      smallRoutes: SMALL_ROUTES,
      largeRoutes,
      tokens: bench.tokens,
    });
    for (const name of names.filter((n) => n.startsWith('gatehouse-'))) {
      const variant = baseline.find((v) => v.name === name);
      if (variant) variants.push({ ...variant, name: `${name}@baseline` });
    }
  }
  const idle = [];
  for (const variant of variants) {
    const server = await variant.start();
    running.push(server);
    await checkVariant(variant, server.url);
    await sleep(IDLE_SETTLE_MS);
    idle.push(rssMiB(server.pid));
    // Warm-up, so JIT and pools are settled before the first measured turn.
    await runWrk(server.url + variant.path, { seconds: 1, connections, headers: variant.headers });
  }
  const samples = await interleave(turnTargets(variants, running), {
    rounds,
    seconds,
    connections,
    log: console.log,
  });
  console.log(
    `\n${rounds} rounds of ${seconds} s per variant, wrk -c${connections}; ratios to ${variants[0].name}:`,
  );
  for (let i = 0; i < variants.length; i++) {
    const { byRps, byCpu } = roundRatios(samples[i], samples[0]);
    console.log(
      `${variants[i].name.padEnd(28)} req/s ${Math.round(median(samples[i].map((s) => s.rps)))
        .toString()
        .padStart(6)}` +
        `  CPU µs/req ${median(samples[i].map((s) => s.cpuUs))
          .toFixed(1)
          .padStart(6)}` +
        `  ratio by req/s ${median(byRps).toFixed(3)} (${Math.min(...byRps).toFixed(2)}–${Math.max(...byRps).toFixed(2)})` +
        `  by CPU ${median(byCpu).toFixed(3)}` +
        `  RSS idle ${idle[i].toFixed(0)} / peak ${peakRssMiB(running[i].pid).toFixed(0)} MiB`,
    );
  }
} finally {
  await Promise.all(running.map((server) => server.stop()));
  await bench.close?.();
}
