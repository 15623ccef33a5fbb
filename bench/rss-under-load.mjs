// Resident memory of one variant across a long load, turn by turn: P6's peak is VmHWM, and a
// peak that a load of a few seconds does not reach may come later, when V8's first full
// collection under load is late (docs/BENCHMARKS.md, session 12). Starts the variant, checks it,
// then loads it in turns of wrk and prints RSS now and the peak so far after each turn.
//   node bench/rss-under-load.mjs [VARIANT] [--turns 10] [--seconds 4] [--connections 32] [--node-arg ARG]…
// VARIANT is a Node variant of bench/run.mjs (default gatehouse-proxied-large, 10,000 routes or
// BENCH_ROUTES). `--node-arg` goes to the server's Node, e.g. `--heap-growing-percent=0` for V8's
// own growing factor (src/adapters/node/old-generation.ts leaves a given one alone).
import { parseArgs } from 'node:util';
import { IDLE_SETTLE_MS, peakRssMiB, rssMiB, runWrk, sleep, wrkVersion } from './lib.mjs';
import { checkVariant, DEFAULT_BIN, prepareBench, selectVariants } from './setup.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    turns: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '32' },
    'node-arg': { type: 'string', multiple: true, default: [] },
  },
});
const name = positionals[0] ?? 'gatehouse-proxied-large';
if (!wrkVersion()) {
  console.error('wrk (the load generator) is not installed: apt-get install wrk');
  process.exit(2);
}
const bench = await prepareBench({
  gatehouseBin: DEFAULT_BIN,
  largeRoutes: Number(process.env.BENCH_ROUTES || 10_000),
  nodeArgs: values['node-arg'],
  workers: false,
});
const [variant] = selectVariants(bench.variants, [name]);
const server = await variant.start();
try {
  await checkVariant(variant, server.url);
  await sleep(IDLE_SETTLE_MS);
  const mib = () => `RSS ${rssMiB(server.pid).toFixed(0)} MiB, peak ${peakRssMiB(server.pid).toFixed(0)} MiB`;
  console.log(`${variant.label}: idle ${mib()}`);
  for (let turn = 1; turn <= Number(values.turns); turn++) {
    const result = await runWrk(server.url + variant.path, {
      seconds: Number(values.seconds),
      connections: Number(values.connections),
      headers: variant.headers,
    });
    console.log(`turn ${turn}: ${Math.round(result.rps)} req/s, ${mib()}`);
  }
} finally {
  await server.stop();
  await bench.close?.();
}
