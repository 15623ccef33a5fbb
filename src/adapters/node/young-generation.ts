import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * Caps V8's young generation of a serving process at MAX_SEMI_SPACE_MIB per semi-space
 * (docs/ARCHITECTURE.md "Memory"). V8 lets the young generation grow to 16 MiB per semi-space
 * (32 MiB resident) under allocation pressure: module loading at start-up and every load reach
 * it, and it stays committed. `--max-semi-space-size` would cap it but only on Node's command
 * line, which `gatehouse start` does not own; V8 reads `--semi-space-growth-factor` at each
 * growth, so this sets it to 1 (no growth) from start-up on, and lets the young generation grow
 * (factor 2, V8's default) only while it is below the cap, checked every CHECK_EVERY_MS.
 * A timer cannot stop a growth in the middle of synchronous work, so compiling a config (seconds
 * of it at 10,000 routes) runs with growth off (`whileCompiling`): without that, a large config
 * could leave 32 MiB of young generation behind. Measured (docs/BENCHMARKS.md): 8 MiB
 * semi-spaces cost no measurable CPU per request and keep 15–25 MiB off the peak. A
 * `--max-semi-space-size` given to Node (command line or NODE_OPTIONS) is the operator's choice:
 * then nothing here runs.
 */
export const MAX_SEMI_SPACE_MIB = 8;
const CHECK_EVERY_MS = 100;

let capped = false;
let compiling = 0;
let factor = 0;

function setFactor(next: number): void {
  if (next === factor) return;
  factor = next;
  setFlagsFromString(`--semi-space-growth-factor=${next}`);
}

/**
 * Stops the young generation's growth now, for start-up, and returns the function that lets it
 * grow up to the cap once the process serves: module loading and the first compile then run in
 * V8's initial semi-spaces, and an idle process holds no young generation it grew only to load
 * its code (about 8 MiB of resident memory, docs/ARCHITECTURE.md "Memory").
 */
export function capYoungGeneration(): () => void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) =>
    /--max[-_]semi[-_]space[-_]size/.test(arg),
  );
  if (given || capped) return () => undefined;
  capped = true;
  setFactor(1);
  return letGrowUpToTheCap;
}

let growing = false;

function letGrowUpToTheCap(): void {
  if (growing) return;
  growing = true;
  // The new space is two semi-spaces.
  const limit = 2 * MAX_SEMI_SPACE_MIB * 2 ** 20;
  const timer = setInterval(() => {
    if (compiling > 0) return;
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (newSpace) setFactor(newSpace.space_size < limit ? 2 : 1);
  }, CHECK_EVERY_MS);
  timer.unref();
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
  }
}
