import { setFlagsFromString } from 'node:v8';
import { givenToNode } from './node-flags.js';

/**
 * Keeps WebAssembly at V8's baseline compiler (Liftoff) in a serving process (docs/ARCHITECTURE.md
 * "Memory"). The only WebAssembly Gatehouse runs is undici's HTTP/1.1 response parser (llhttp),
 * compiled on the first upstream request. V8 compiles it with Liftoff, then recompiles its hot
 * parse function with TurboFan in the background; that one optimising compile of a
 * state-machine function of several thousand states takes some 35 MiB for a moment, the peak of
 * a proxying process's memory, and leaves 0–10 MiB of freed but still resident allocator memory
 * behind, the spread of its idle figure. `--liftoff-only` stops there. Safe: Liftoff is a
 * complete compiler (every module runs correctly on it; it is what DevTools debugging uses), the
 * flag is read when a module is compiled, so setting it before the first upstream request covers
 * llhttp, and it concerns WebAssembly only, never JavaScript. Its price is the parser's speed:
 * measured, CPU µs per proxied request within the noise (docs/BENCHMARKS.md). A WebAssembly
 * tiering flag given to Node (`--liftoff`, `--no-liftoff`, `--wasm-tier-up`, …) wins.
 */
export function keepWasmAtBaseline(): void {
  if (!givenToNode(/--(no[-_])?(liftoff|wasm[-_](tier|dynamic[-_]tiering))/))
    setFlagsFromString('--liftoff-only');
}
