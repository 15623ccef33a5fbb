import type { RoutePattern } from './pattern.js';
import type { RankKey } from './precedence.js';

/**
 * The segment tree the router walks (docs/BEHAVIOUR.md: matching cost must not grow with the number
 * of routes). A node is reached by exactly one sequence of literal/parameter steps, so a walk
 * visits each node at most once and never looks at routes off the request's path.
 *
 * Precedence falls out of the walk order: literal children are tried before the parameter child
 * (rules 1 and 3: a literal beats a parameter at the first segment where two routes differ),
 * exact routes before wildcard routes (rule 1), deeper wildcards before shallower ones (rule 2).
 * Routes sharing a node have the same shape, so only rules 4 and 5 remain, and `MethodTable`
 * answers those with one lookup.
 */

export interface CompiledRoute<T> {
  readonly method: string;
  readonly path: string;
  readonly value: T;
  readonly pattern: RoutePattern;
  readonly rank: RankKey;
  /** Parameter names by segment position, precomputed so a match only copies strings. */
  readonly paramSlots: readonly { readonly position: number; readonly name: string }[];
}

/**
 * The routes ending at one node: the first route per method (rule 5: a later one never wins).
 * A 405's `Allow` is derived from it when needed (`allowedMethods`), not stored: a set per
 * table was 150 bytes per route at 10,000 routes (docs/ARCHITECTURE.md "Memory").
 */
export interface MethodTable<T> {
  readonly byMethod: Map<string, CompiledRoute<T>>;
}

/** Methods for a 405's `Allow`: the table's own (ANY is none), HEAD wherever GET is (RFC 9110 §9.3.2). */
export function allowedMethods<T>(table: MethodTable<T>): string[] {
  const allow: string[] = [];
  for (const method of table.byMethod.keys()) if (method !== 'ANY') allow.push(method);
  if (table.byMethod.has('GET') && !table.byMethod.has('HEAD')) allow.push('HEAD');
  return allow;
}

export interface TreeNode<T> {
  literals: Map<string, TreeNode<T>> | undefined;
  param: TreeNode<T> | undefined;
  /** Routes whose pattern ends here. */
  exact: MethodTable<T> | undefined;
  /** `{.+}` routes whose prefix ends here. */
  wildcard: MethodTable<T> | undefined;
  /** Some wildcard route ends at this node or below: lets the wildcard search skip subtrees. */
  wildcardBelow: boolean;
}

export function buildTree<T>(routes: readonly CompiledRoute<T>[]): TreeNode<T> {
  const root = createNode<T>();
  for (const route of routes) {
    let node = root;
    for (const segment of route.pattern.segments) {
      if (route.pattern.wildcard) node.wildcardBelow = true;
      node = segment.kind === 'literal' ? literalChild(node, segment.value) : paramChild(node);
    }
    if (route.pattern.wildcard) {
      node.wildcardBelow = true;
      node.wildcard = addToTable(node.wildcard, route);
    } else {
      node.exact = addToTable(node.exact, route);
    }
  }
  return root;
}

/** Rule 4: the request's own method, then GET for HEAD, then ANY. */
export function pickRoute<T>(table: MethodTable<T>, method: string): CompiledRoute<T> | undefined {
  return (
    table.byMethod.get(method) ??
    (method === 'HEAD' ? table.byMethod.get('GET') : undefined) ??
    table.byMethod.get('ANY')
  );
}

/**
 * The best non-wildcard route serving `method`; `parts` is `path.split('/')`, `index` the part
 * to match next. Depth-first, literal before parameter, so the first hit is the winner.
 */
export function findExact<T>(
  node: TreeNode<T>,
  parts: readonly string[],
  index: number,
  method: string,
): CompiledRoute<T> | undefined {
  if (index === parts.length) return node.exact === undefined ? undefined : pickRoute(node.exact, method);
  const part = parts[index] as string;
  const literal = node.literals?.get(part);
  if (literal !== undefined) {
    const found = findExact(literal, parts, index + 1, method);
    if (found !== undefined) return found;
  }
  // A parameter is one non-empty segment: `/users/` does not match `/users/{id}`.
  if (node.param === undefined || part === '') return undefined;
  return findExact(node.param, parts, index + 1, method);
}

/**
 * The exact tables reachable by literal steps only, by the path that reaches them
 * (`/a/b` for the node of literals `a`, `b`; `/a/` when the last literal is the empty one of a
 * trailing slash). findExact tries literal children first, so when such a table serves the
 * method, its route is the one the walk would return: the router answers all-literal paths
 * (`/static`, `/health`) with one lookup, without splitting the path.
 */
export function literalExactTables<T>(root: TreeNode<T>): Map<string, MethodTable<T>> {
  const tables = new Map<string, MethodTable<T>>();
  const visit = (node: TreeNode<T>, path: string): void => {
    if (node.literals === undefined) return;
    for (const [value, child] of node.literals) {
      const childPath = `${path}/${value}`;
      if (child.exact !== undefined) tables.set(childPath, child.exact);
      visit(child, childPath);
    }
  };
  visit(root, '');
  return tables;
}

/**
 * The best `{.+}` route serving `method`: the deepest prefix wins (rule 2), at equal depth the
 * literal branch (rule 3). A wildcard also matches zero further segments, so this node's own
 * wildcard routes count even when the path ends here.
 */
export function findWildcard<T>(
  node: TreeNode<T>,
  parts: readonly string[],
  index: number,
  method: string,
): CompiledRoute<T> | undefined {
  if (!node.wildcardBelow) return undefined;
  let best: CompiledRoute<T> | undefined;
  if (index < parts.length) {
    const part = parts[index] as string;
    const literal = node.literals?.get(part);
    if (literal !== undefined) best = findWildcard(literal, parts, index + 1, method);
    if (node.param !== undefined && part !== '') {
      const viaParam = findWildcard(node.param, parts, index + 1, method);
      if (
        viaParam !== undefined &&
        (best === undefined || viaParam.rank.prefixLength > best.rank.prefixLength)
      ) {
        best = viaParam;
      }
    }
  }
  // Anything found below has a longer prefix than this node's own wildcard routes.
  if (best !== undefined || node.wildcard === undefined) return best;
  return pickRoute(node.wildcard, method);
}

/**
 * Calls `visit` for every table whose routes match the path, whatever their method, until it
 * returns true. Off the hot path: used for 405's `Allow` and the CORS preflight decision.
 */
export function someMatchingTable<T>(
  node: TreeNode<T>,
  parts: readonly string[],
  index: number,
  visit: (table: MethodTable<T>) => boolean,
): boolean {
  if (node.wildcard !== undefined && visit(node.wildcard)) return true;
  if (index === parts.length) return node.exact !== undefined && visit(node.exact);
  const part = parts[index] as string;
  const literal = node.literals?.get(part);
  if (literal !== undefined && someMatchingTable(literal, parts, index + 1, visit)) return true;
  return node.param !== undefined && part !== '' && someMatchingTable(node.param, parts, index + 1, visit);
}

function createNode<T>(): TreeNode<T> {
  return {
    literals: undefined,
    param: undefined,
    exact: undefined,
    wildcard: undefined,
    wildcardBelow: false,
  };
}

function literalChild<T>(node: TreeNode<T>, value: string): TreeNode<T> {
  // Created lazily: most nodes of a large config are leaves, and 10,000 empty Maps add up.
  node.literals ??= new Map();
  let child = node.literals.get(value);
  if (child === undefined) {
    child = createNode();
    node.literals.set(value, child);
  }
  return child;
}

function paramChild<T>(node: TreeNode<T>): TreeNode<T> {
  node.param ??= createNode();
  return node.param;
}

function addToTable<T>(table: MethodTable<T> | undefined, route: CompiledRoute<T>): MethodTable<T> {
  const target = table ?? { byMethod: new Map() };
  if (!target.byMethod.has(route.method)) target.byMethod.set(route.method, route);
  return target;
}
