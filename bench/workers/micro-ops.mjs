// Per-operation CPU of single Worker steps in raw workerd (performance.now() does not advance while
// a Worker runs, so the figure is workerd's process CPU from /proc over N operations per request).
// An op that works on an upstream response (its function takes `up`) gets a new upstream-like
// Response (`base`) each time, so its own cost is its figure minus `base`'s; an op without that
// parameter (the request reads, the static answers, `uuid`) is measured alone, its figure its
// own cost. Use a large `--n` (20000) and 7–9 rounds: the figure is from /proc in 10 ms ticks.
// Noisy on a loaded machine; compare ops of the same run only.
//   node bench/workers/micro-ops.mjs [base,copyDel,copyNoDeletes,iterRecord,iterPairs,uuid,timer] [--n 2000]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findWorkerd } from './workerd.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { n: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '5' } },
});
const ops = (positionals[0] ?? 'base,copyDel,copyNoDeletes,iterRecord,iterPairs,uuid,timer').split(',');
const n = Number(values.n);
const rounds = Number(values.rounds);
const dir = fileURLToPath(new URL('./micro/', import.meta.url));
const config = join(dir, 'ops.capnp');
const { HOP_BY_HOP_HEADERS } = await import('../../dist/proxy/hop-by-hop.js'); // npm run build
await writeFile(
  join(dir, 'hop-by-hop.mjs'),
  `export const HOP_BY_HOP_HEADERS = ${JSON.stringify(HOP_BY_HOP_HEADERS)};\n`,
);
await writeFile(
  config,
  `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = ( services = [ (name = "ops", worker = (modules = [(name = "ops-worker.mjs", esModule = embed "ops-worker.mjs"), (name = "hop-by-hop.mjs", esModule = embed "hop-by-hop.mjs")], compatibilityDate = "2024-09-23")) ], sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "ops") ] );
`,
);
const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const workerd = spawn(findWorkerd().bin, ['serve', config, `--socket-addr=http=127.0.0.1:${port}`], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
const cpuSeconds = () => {
  const fields = readFileSync(`/proc/${workerd.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
try {
  for (let attempt = 0; ; attempt++) {
    try {
      await (await fetch(`http://127.0.0.1:${port}/?op=base&n=1`)).text();
      break;
    } catch (error) {
      if (attempt > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const samples = Object.fromEntries(ops.map((op) => [op, []]));
  for (let round = 0; round < rounds; round++) {
    for (const op of ops) {
      const before = cpuSeconds();
      for (let call = 0; call < 5; call++)
        await (await fetch(`http://127.0.0.1:${port}/?op=${op}&n=${n}`)).text();
      samples[op].push(((cpuSeconds() - before) * 1e6) / (5 * n));
    }
  }
  for (const op of ops) {
    const sorted = samples[op].sort((a, b) => a - b);
    console.log(
      `${op.padEnd(14)} median ${sorted[Math.floor(rounds / 2)].toFixed(1)} µs/op  min ${sorted[0].toFixed(1)}`,
    );
  }
} finally {
  workerd.kill();
}
