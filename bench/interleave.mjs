// Interleaved turns for small differences on a shared, noisy machine: variants already started
// (and kept running) are loaded in short turns, round after round, in an order rotated every
// round, so a slow minute of the machine hits every variant alike. Used by bench/interleaved.mjs
// (any variants, from the command line) and by `npm run bench` for the O rows (bench/run.mjs).
import { cpuSeconds, runWrk, sleep } from './lib.mjs';

/**
 * @param {{ name: string, url: string, pid: number, headers?: Record<string, string> }[]} targets
 *   running variants: `url` is the full URL to load, `pid` the server process to read CPU from
 * @param {{ rounds: number, seconds: number, connections: number, log?: (line: string) => void }} options
 * @returns {Promise<{ rps: number, cpuUs: number }[][]>} per target, one sample per round
 */
export async function interleave(targets, { rounds, seconds, connections, log = () => {} }) {
  const samples = targets.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = targets.map((_, i) => (i + round) % targets.length);
    for (const i of order) {
      const target = targets[i];
      const cpuBefore = cpuSeconds(target.pid);
      const result = await runWrk(target.url, { seconds, connections, headers: target.headers ?? {} });
      if (result.non2xx > 0) throw new Error(`${target.name}: ${result.non2xx} non-2xx answers under load`);
      const cpu = cpuSeconds(target.pid) - cpuBefore;
      samples[i][round] = { rps: result.rps, cpuUs: (cpu / result.requests) * 1e6 };
      await sleep(100);
    }
    log(
      `[round ${round + 1}/${rounds}] ` +
        targets.map((t, i) => `${t.name} ${Math.round(samples[i][round].rps)}`).join('  '),
    );
  }
  return samples;
}

/** The targets of `interleave` for started variants: `running[i]` is the server of `variants[i]`. */
export function turnTargets(variants, running) {
  return variants.map((variant, i) => ({
    name: variant.name,
    url: running[i].url + variant.path,
    pid: running[i].pid,
    headers: variant.headers,
  }));
}

/**
 * Per-round ratios of `num` to `den` (samples of the same rounds): by requests/s, and by CPU
 * µs per request (den ÷ num, so higher is better in both).
 */
export function roundRatios(num, den) {
  const rounds = Math.min(num.length, den.length);
  const byRps = [];
  const byCpu = [];
  for (let r = 0; r < rounds; r++) {
    byRps.push(num[r].rps / den[r].rps);
    byCpu.push(den[r].cpuUs / num[r].cpuUs);
  }
  return { byRps, byCpu };
}
