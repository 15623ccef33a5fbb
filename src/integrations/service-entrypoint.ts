/**
 * The files a `services[].entrypoint` may name, in the order they are tried (docs/CONFIG.md
 * "Where modules come from"): the path as written, then with `.js`, then with `.mjs`. The
 * Serverless API Gateway imports `${entrypoint}.js`, so its configs write `./services/endpoint1`.
 * Pure string work, shared by the Node loader and the Worker build (scripts/build-worker.mjs).
 */
export const ENTRYPOINT_EXTENSIONS = ['.js', '.mjs'] as const;

export function entrypointCandidates(path: string): string[] {
  return [path, ...ENTRYPOINT_EXTENSIONS.map((extension) => `${path}${extension}`)];
}

/** The message when none of the candidates is a file: every path tried, in order. */
export function entrypointNotFound(candidates: readonly string[]): string {
  return `module file not found; tried ${candidates.join(', ')}`;
}
