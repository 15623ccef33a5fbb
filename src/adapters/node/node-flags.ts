/**
 * Whether the operator gave Node a V8 flag matching `flag`, on its command line or in
 * NODE_OPTIONS. The memory devices (young-generation.ts, old-generation.ts, wasm-baseline.ts)
 * set V8 flags themselves only when the operator did not: a flag given to Node is the
 * operator's choice.
 */
export function givenToNode(flag: RegExp): boolean {
  return [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => flag.test(arg));
}
