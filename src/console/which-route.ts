import type { CompiledGateway } from '../assembly/compile-gateway.js';
import { canonicalizePath } from '../router/canonical-path.js';

/** The console's "which route wins" answer (docs/CONSOLE.md): the router's own explanation. */
export interface WhichRoute {
  readonly method: string;
  readonly path: string;
  /** What the serving router does with the request: found, 404 or 405. */
  readonly outcome: 'found' | 'not-found' | 'method-not-allowed' | 'bad-path';
  /** Index in `paths` of the route that serves it. */
  readonly winner: { readonly index: number; readonly method: string; readonly path: string } | undefined;
  /** The lines `gatehouse routes METHOD PATH` prints. */
  readonly lines: readonly string[];
}

export function whichRoute(compiled: CompiledGateway, method: string, rawPath: string): WhichRoute {
  const upper = method.trim().toUpperCase();
  let path: string;
  try {
    path = canonicalizePath(rawPath.split('?')[0] ?? rawPath);
  } catch {
    return {
      method: upper,
      path: rawPath,
      outcome: 'bad-path',
      winner: undefined,
      lines: [`${upper} ${rawPath}: 400 ERR_BAD_REQUEST (the path is malformed)`],
    };
  }
  // The table walk serves requests; the explanation is written from the rules. Both are shown
  // from the same compiled router, and the walk decides the winner, as it does for a request.
  const match = compiled.router.match(upper, path);
  const { lines } = compiled.router.explain(upper, path);
  const winner =
    match.kind === 'found'
      ? { index: match.value.index, method: match.value.method, path: match.value.path }
      : undefined;
  return { method: upper, path, outcome: match.kind, winner, lines };
}
