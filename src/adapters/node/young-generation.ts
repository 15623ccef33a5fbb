import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { givenToNode } from './node-flags.js';

/**
 * Caps V8's young generation of a serving process at MAX_SEMI_SPACE_MIB per semi-space
 * (docs/ARCHITECTURE.md "Memory"). V8 lets the young generation grow to 16 MiB per semi-space
 * (32 MiB resident) under allocation pressure: module loading at start-up and every load reach
 * it, and it stays committed. `--max-semi-space-size` would cap it but only on Node's command
 * line, which `gatehouse start` does not own; V8 reads `--semi-space-growth-factor` at each
 * growth, so this sets it to 1 (no growth) from start-up on, and once the process serves lets
 * the young generation grow (factor 2, V8's default) only while it is below the cap, checked
 * after every garbage collection (a `gc` performance observer: no timer, nothing at idle).
 * The check runs between tasks, so growth is also turned off around the long synchronous work
 * the gateway knows of, compiling a config (`whileCompiling`; seconds at 10,000 routes): without
 * that, a large config left 32 MiB of young generation behind. Measured (docs/BENCHMARKS.md):
 * 8 MiB semi-spaces cost no measurable CPU per request and keep 15–25 MiB off the peak. A
 * `--max-semi-space-size` given to Node (command line or NODE_OPTIONS) is the operator's choice:
 * then nothing here runs.
 */
export const MAX_SEMI_SPACE_MIB = 8;

/** The new space is two semi-spaces. */
const LIMIT_BYTES = 2 * MAX_SEMI_SPACE_MIB * 2 ** 20;

let capped = false;
let serving = false;
let compiling = 0;
let factor = 0;

function setFactor(next: number): void {
  if (next === factor) return;
  factor = next;
  setFlagsFromString(`--semi-space-growth-factor=${next}`);
}

/** After a collection: growth on only when serving, not compiling, and one doubling stays within the cap. */
function adjust(): void {
  if (!serving || compiling > 0) return setFactor(1);
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  setFactor(newSpace !== undefined && newSpace.space_size * 2 <= LIMIT_BYTES ? 2 : 1);
}

/**
 * Stops the young generation's growth now, for start-up, and returns the function that lets it
 * grow up to the cap once the process serves: module loading and the first compile then run in
 * V8's initial semi-spaces, and an idle process holds no young generation it grew only to load
 * its code (about 8 MiB of resident memory, docs/ARCHITECTURE.md "Memory").
 */
export function capYoungGeneration(): () => void {
  if (givenToNode(/--max[-_]semi[-_]space[-_]size/) || capped) return () => undefined;
  capped = true;
  setFactor(1);
  new PerformanceObserver(adjust).observe({ entryTypes: ['gc'] });
  return () => {
    serving = true;
    adjust();
  };
}

/** Runs `work` (a config compile) with the young generation's growth off, when it is capped. */
export async function whileCompiling<T>(work: () => Promise<T>): Promise<T> {
  if (!capped) return work();
  compiling++;
  setFactor(1);
  try {
    return await work();
  } finally {
    compiling--;
    adjust();
  }
}
