import { setFlagsFromString } from 'node:v8';
import { givenToNode } from './node-flags.js';

/**
 * How far V8 lets the old generation of a serving process grow past what the last full
 * collection left alive: 50%, the growing factor 1.5 (docs/ARCHITECTURE.md "Memory").
 */
const OLD_GENERATION_GROWING_PERCENT = 50;

/**
 * Fixes V8's old-generation growing factor (`--heap-growing-percent`) in a serving process.
 *
 * Without the flag, after each mark-compact V8 lets the old generation grow to its live size
 * times a factor of up to 4. It derives that factor from how fast the program allocated
 * compared with how fast V8 collected. Start-up ends with such a mark-compact, inside the
 * config's compile, and that one chose nearly the largest factor. With a 10,000-route config
 * (31 MiB live) the next mark-compact came at 119 MiB of heap. Under load that took about 40 s,
 * and by then the process was resident at 190–197 MiB. P6's budget for that config is 180 MiB
 * (docs/BENCHMARKS.md, session 12). The garbage in between is requests' objects that lived
 * through two scavenges while their exchanges were in flight.
 *
 * Under load V8 then chose about 1.3 on its own, so at 10,000 routes a fixed 1.5 means fewer
 * full collections in steady state: one every 8–10 s instead of every ~4 s. The peak was
 * 124–125 MiB. At 10 routes V8's minimum growth step decides, and there were 7–8 full
 * collections against 5 in 24 s of load, about 0.1% of a core.
 *
 * V8 reads the flag at every mark-compact, so setting it at start-up covers the compile that
 * follows. A `--heap-growing-percent` given to Node on its command line (Node refuses it in
 * NODE_OPTIONS) is the operator's choice, and then this sets nothing.
 */
export function boundOldGenerationGrowth(): void {
  if (!givenToNode(/--heap[-_]growing[-_]percent/))
    setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWING_PERCENT}`);
}
