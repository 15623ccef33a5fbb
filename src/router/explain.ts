import { patternMatches } from './pattern.js';
import {
  comparePrecedence,
  decidePrecedence,
  methodPreference,
  type PrecedenceRule,
  type RankKey,
} from './precedence.js';
import type { CompiledRoute } from './tree.js';

/**
 * `gatehouse routes GET /x`: which route wins and why each other route matching the path loses,
 * one human-readable line each. A plain scan of every route, written from the rules rather than
 * the tree, so an operator reads the reasoning instead of trusting the walk; the router's tests
 * check that both always agree.
 */
export function explainMatch<T>(
  routes: readonly CompiledRoute<T>[],
  method: string,
  path: string,
): { winner: CompiledRoute<T> | undefined; lines: string[] } {
  if (!path.startsWith('/'))
    return { winner: undefined, lines: [`${path}: not a path (must start with "/")`] };
  const parts = path.split('/');
  const matching = routes.filter((route) => patternMatches(route.pattern, parts));
  const serving = matching
    .filter((route) => methodPreference(route.method, method) !== undefined)
    .sort((a, b) => comparePrecedence(a.rank, b.rank, method));
  const winner = serving[0];
  const lines = [headline(method, path, matching, winner)];
  if (winner !== undefined) {
    lines.push(`  wins: ${describe(winner)}, ${kindText(winner.rank)}`);
    for (const loser of serving.slice(1))
      lines.push(`  loses: ${describe(loser)}: ${whyLoses(winner, loser, method)}`);
  }
  for (const route of matching) {
    if (methodPreference(route.method, method) !== undefined) continue;
    lines.push(`  loses: ${describe(route)}: matches the path but does not serve ${method}`);
  }
  const others = routes.length - matching.length;
  if (others === 1) lines.push('  1 other route does not match the path');
  if (others > 1) lines.push(`  ${others} other routes do not match the path`);
  return { winner, lines };
}

function headline<T>(
  method: string,
  path: string,
  matching: readonly CompiledRoute<T>[],
  winner: CompiledRoute<T> | undefined,
): string {
  if (winner !== undefined) return `${method} ${path} → ${describe(winner)}`;
  if (matching.length === 0) return `${method} ${path} → 404: no route matches the path`;
  const allow = new Set<string>();
  for (const route of matching) {
    allow.add(route.method);
    if (route.method === 'GET') allow.add('HEAD');
  }
  return `${method} ${path} → 405: the path matches, but no route serves ${method} (Allow: ${[...allow].sort().join(', ')})`;
}

function describe<T>(route: CompiledRoute<T>): string {
  return `#${route.rank.index} ${route.method} ${route.path}`;
}

function kindText(rank: RankKey): string {
  if (rank.kind === 'literal') return 'all segments literal';
  if (rank.kind === 'param') return positions(rank);
  return `wildcard after ${segmentCount(rank.prefixLength)}`;
}

function whyLoses<T>(winner: CompiledRoute<T>, loser: CompiledRoute<T>, method: string): string {
  const { rule } = decidePrecedence(winner.rank, loser.rank, method);
  return `rule ${rule}, ${RULE_TEXT[rule](winner.rank, loser.rank, method)}`;
}

const RULE_TEXT: Readonly<
  Record<PrecedenceRule, (winner: RankKey, loser: RankKey, method: string) => string>
> = {
  1: (winner, loser) =>
    `an all-literal route beats a route with parameters, which beats a wildcard route (${winner.kind} vs ${loser.kind})`,
  2: (winner, loser) =>
    `the longer prefix before the wildcard wins (${segmentCount(winner.prefixLength)} vs ${segmentCount(loser.prefixLength)})`,
  3: (winner, loser) =>
    `the route whose first parameter comes later wins (${positions(winner)} vs ${positions(loser)})`,
  4: (winner, _loser, method) =>
    method === 'HEAD' && winner.method === 'GET'
      ? 'a GET route serves HEAD before an ANY route does'
      : `a ${method} route beats ${method === 'HEAD' ? 'GET and ' : ''}ANY`,
  5: (winner, loser) =>
    `same precedence otherwise, the earlier route wins (#${winner.index} before #${loser.index})`,
};

/** Segment numbers are 1-based, as a person counts them. */
function positions(rank: RankKey): string {
  const numbers = rank.paramPositions.map((position) => position + 1);
  if (numbers.length === 0) return 'no parameters';
  if (numbers.length === 1) return `parameter at segment ${numbers.join('')}`;
  return `parameters at segments ${numbers.join(', ')}`;
}

function segmentCount(count: number): string {
  return `${count} segment${count === 1 ? '' : 's'}`;
}
