// Interleaved A/B of Worker modules in raw workerd, for changes too small to see across runs on a
// shared machine: each variant runs in its own workerd, all are started once, then loaded in short
// turns, round after round, in a rotating order (as bench/interleaved.mjs), and every round gives
// one ratio per variant to the first one named, by req/s and by workerd CPU µs per request.
//   node bench/workers/ab.mjs SPEC,SPEC,… [--rounds 6] [--seconds 2] [--connections 32] [--json FILE]
// A SPEC is either a Workers variant of bench/run.mjs (workers-floor-proxy, workers-proxied, …),
// or `label=FILE@VARIANT`: the Worker module FILE (a Gatehouse bundle built earlier, say from
// another commit, or a variation of a floor Worker) served with the bench's bindings (the generated
// 10-route config in SAG_API_CONFIG_JSON, the upstream in UPSTREAM_URL, log level silent), loaded
// and checked as the bench VARIANT is (its path, headers and expected answer).
import { copyFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds, median, peakRssMiB, runWrk, sleep, wrkVersion } from '../lib.mjs';
import { checkVariant, DEFAULT_BIN, prepareBench, selectVariants, SMALL_ROUTES } from '../setup.mjs';
import { findWorkerd, startWorkerd, wranglerCompatibility } from './workerd.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    json: { type: 'string' },
  },
});
if (!positionals[0]) {
  console.error('usage: node bench/workers/ab.mjs SPEC,SPEC,… (see the header of this file)');
  process.exit(2);
}
if (!wrkVersion()) {
  console.error('wrk (the load generator) is not installed: apt-get install wrk');
  process.exit(2);
}
const specs = positionals[0].split(',').map(parseSpec);
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const bench = await prepareBench({ gatehouseBin: DEFAULT_BIN, largeRoutes: SMALL_ROUTES, workers: true });
const running = [];
try {
  const workerd = findWorkerd();
  const compatibility = wranglerCompatibility();
  const variants = [];
  for (const [i, spec] of specs.entries()) {
    const [base] = selectVariants(bench.variants, [spec.variant]);
    if (spec.file === undefined) {
      variants.push(base);
      continue;
    }
    // workerd embeds files from the bench's temp dir only.
    const module = join(bench.dir, `ab-${i}-${basename(spec.file)}`);
    await copyFile(spec.file, module);
    variants.push({
      ...base,
      name: spec.label,
      start: () =>
        startWorkerd({
          bin: workerd.bin,
          dir: bench.dir,
          name: `ab-${i}`,
          module,
          compatibility,
          bindings: {
            SAG_API_CONFIG_JSON: { file: bench.configs[SMALL_ROUTES] },
            GATEHOUSE_LOG_LEVEL: 'silent',
            UPSTREAM_URL: bench.upstream.url,
          },
        }),
    });
  }
  for (const variant of variants) {
    const server = await variant.start();
    running.push(server);
    await checkVariant(variant, server.url);
    await runWrk(server.url + variant.path, { seconds: 1, connections, headers: variant.headers });
  }
  const samples = variants.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const i of variants.map((_, j) => (j + round) % variants.length)) {
      const variant = variants[i];
      const cpuBefore = cpuSeconds(running[i].pid);
      const result = await runWrk(running[i].url + variant.path, {
        seconds,
        connections,
        headers: variant.headers,
      });
      const cpu = cpuSeconds(running[i].pid) - cpuBefore;
      samples[i][round] = { rps: result.rps, cpuUs: (cpu / result.requests) * 1e6 };
      await sleep(100);
    }
    console.log(
      `[round ${round + 1}/${rounds}] ` +
        variants.map((v, i) => `${v.name} ${Math.round(samples[i][round].rps)}`).join('  '),
    );
  }
  console.log(
    `\n${rounds} rounds of ${seconds} s per variant, wrk -c${connections}; ratios to ${variants[0].name}:`,
  );
  for (const [i, variant] of variants.entries()) {
    const byRps = samples[i].map((s, r) => s.rps / samples[0][r].rps);
    const byCpu = samples[i].map((s, r) => samples[0][r].cpuUs / s.cpuUs);
    const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
    console.log(
      `${variant.name.padEnd(24)} req/s ${Math.round(median(samples[i].map((s) => s.rps)))
        .toString()
        .padStart(6)}  CPU µs/req ${median(samples[i].map((s) => s.cpuUs))
        .toFixed(1)
        .padStart(6)}  ÷first by req/s ${median(byRps).toFixed(3)} (${range(byRps)})` +
        `  by CPU ${median(byCpu).toFixed(3)} (${range(byCpu)})  peak RSS ${peakRssMiB(running[i].pid).toFixed(0)} MiB`,
    );
  }
  if (values.json) {
    // Every sample, for ratios between any two variants of the same rounds.
    const rows = variants.map((variant, i) => ({ name: variant.name, samples: samples[i] }));
    await writeFile(values.json, JSON.stringify(rows, null, 1));
  }
} finally {
  await Promise.all(running.map((server) => server.stop()));
  await bench.close?.();
}

function parseSpec(text) {
  const match = /^([\w.-]+)=(.+)@([\w-]+)$/.exec(text);
  if (match === null) return { variant: text };
  return { label: match[1], file: resolve(match[2]), variant: match[3] };
}
