import { exactlySized, type RoutePattern } from './pattern.js';

/**
 * Route precedence (docs/BEHAVIOUR.md "2. Paths"), the documented rule of the Serverless
 * API Gateway applied consistently (docs/COMPAT.md row 11). The tree walk in tree.ts realises the
 * same order without comparing keys; these keys order `list()` and explain `explain()`.
 */

export type RouteKind = 'literal' | 'param' | 'wildcard';

/** Which rule decided between two routes, numbered as in docs/BEHAVIOUR.md. */
export type PrecedenceRule = 1 | 2 | 3 | 4 | 5;

export interface RankKey {
  readonly kind: RouteKind;
  /** Segments before the wildcard (rule 2); the segment count for other routes. */
  readonly prefixLength: number;
  /** 0-based segment positions of the parameters, ascending (rule 3). */
  readonly paramPositions: readonly number[];
  readonly method: string;
  /** Position in the input (rule 5). */
  readonly index: number;
}

const KIND_ORDER: Readonly<Record<RouteKind, number>> = { literal: 0, param: 1, wildcard: 2 };

export function rankKeyOf(pattern: RoutePattern, method: string, index: number): RankKey {
  const paramPositions: number[] = [];
  pattern.segments.forEach((segment, position) => {
    if (segment.kind === 'param') paramPositions.push(position);
  });
  const kind: RouteKind = pattern.wildcard ? 'wildcard' : paramPositions.length > 0 ? 'param' : 'literal';
  return {
    kind,
    prefixLength: pattern.segments.length,
    paramPositions: exactlySized(paramPositions),
    method,
    index,
  };
}

/**
 * Rule 4 for one request method: lower is better, undefined when the route does not serve the
 * method at all. GET routes serve HEAD (RFC 9110 §9.3.2, docs/COMPAT.md row 12), after HEAD routes.
 * Without a request method (listing) a route's own method simply ranks before ANY.
 */
export function methodPreference(routeMethod: string, requestMethod: string | undefined): number | undefined {
  if (requestMethod === undefined) return routeMethod === 'ANY' ? 2 : 0;
  if (routeMethod === requestMethod) return 0;
  if (requestMethod === 'HEAD' && routeMethod === 'GET') return 1;
  if (routeMethod === 'ANY') return 2;
  return undefined;
}

/**
 * The first rule that tells `a` and `b` apart and which way: `order < 0` when `a` wins.
 * Both routes are assumed to match the same path (and, with a request method, to serve it).
 */
export function decidePrecedence(
  a: RankKey,
  b: RankKey,
  requestMethod: string | undefined,
): { rule: PrecedenceRule; order: number } {
  if (a.kind !== b.kind) return { rule: 1, order: KIND_ORDER[a.kind] - KIND_ORDER[b.kind] };
  if (a.kind === 'wildcard' && a.prefixLength !== b.prefixLength) {
    return { rule: 2, order: b.prefixLength - a.prefixLength };
  }
  const byParams = compareParamPositions(a.paramPositions, b.paramPositions);
  if (byParams !== 0) return { rule: 3, order: byParams };
  const methodA = methodPreference(a.method, requestMethod) ?? Number.MAX_SAFE_INTEGER;
  const methodB = methodPreference(b.method, requestMethod) ?? Number.MAX_SAFE_INTEGER;
  if (methodA !== methodB) return { rule: 4, order: methodA - methodB };
  return { rule: 5, order: a.index - b.index };
}

/** Sort comparator: the winner first. */
export function comparePrecedence(a: RankKey, b: RankKey, requestMethod?: string): number {
  return decidePrecedence(a, b, requestMethod).order;
}

/**
 * Rule 3: the route whose first parameter comes later wins, then the next parameters in turn;
 * running out of parameters counts as "later than any". For two patterns matching the same path
 * this is the same as "a literal beats a parameter at the first segment where they differ".
 */
function compareParamPositions(a: readonly number[], b: readonly number[]): number {
  const length = Math.max(a.length, b.length);
  for (let k = 0; k < length; k++) {
    const positionA = a[k] ?? Number.POSITIVE_INFINITY;
    const positionB = b[k] ?? Number.POSITIVE_INFINITY;
    if (positionA !== positionB) return positionA > positionB ? -1 : 1;
  }
  return 0;
}
