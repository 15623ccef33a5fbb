import { ROUTE_METHODS, type RouteMethod } from '../config/schema.js';
import { explainMatch } from './explain.js';
import { exactlySized, parsePathPattern } from './pattern.js';
import { comparePrecedence, rankKeyOf } from './precedence.js';
import {
  allowedMethods,
  buildTree,
  findExact,
  findWildcard,
  literalExactTables,
  pickRoute,
  someMatchingTable,
  type CompiledRoute,
} from './tree.js';

export { findDuplicateRoutes } from './duplicates.js';

export interface RouteDefinition<T> {
  readonly method: RouteMethod;
  readonly path: string;
  readonly value: T;
}

export type RouteMatch<T> =
  FoundRoute<T> | { kind: 'method-not-allowed'; allow: readonly string[] } | { kind: 'not-found' };

export interface FoundRoute<T> {
  kind: 'found';
  value: T;
  params: Readonly<Record<string, string>>;
  wildcardRest: string | undefined;
}

export interface Router<T> {
  /** `canonicalPath` comes from canonicalizePath(); `method` is compared exactly (RFC 9110 §9.1). */
  match(method: string, canonicalPath: string): RouteMatch<T>;
  /** true when a route declares exactly this method (not ANY) for the path: decides whether OPTIONS is a CORS preflight */
  hasExplicitMethod(method: string, canonicalPath: string): boolean;
  /** every route in precedence order (for `gatehouse routes`) */
  list(): readonly RouteDefinition<T>[];
  /** explains which route wins for method+path and why the others lose (human-readable lines), for `gatehouse routes GET /x` */
  explain(method: string, canonicalPath: string): { winner: RouteDefinition<T> | undefined; lines: string[] };
}

const SLASH = 0x2f;
const NOT_FOUND: RouteMatch<never> = Object.freeze({ kind: 'not-found' });
/**
 * Params have no prototype, so a mapping reading `$request.path.constructor` finds nothing and a
 * parameter named `__proto__` is an ordinary key.
 */
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(
  Object.create(null) as Record<string, string>,
);

/**
 * Compiles the routes once (config load). Throws on an invalid pattern or method: config
 * validation reports those with their JSON pointer before a router is ever built.
 */
export function createRouter<T>(routes: readonly RouteDefinition<T>[]): Router<T> {
  const compiled = routes.map(compileRoute);
  const root = buildTree(compiled);
  const literalTables = literalExactTables(root);
  const ordered: readonly RouteDefinition<T>[] = Object.freeze(
    [...compiled].sort((a, b) => comparePrecedence(a.rank, b.rank)).map((route) => routes[route.rank.index]!),
  );

  const remembered = new MatchMemo<T>();

  function match(method: string, canonicalPath: string): RouteMatch<T> {
    if (canonicalPath.charCodeAt(0) !== SLASH) return NOT_FOUND;
    const literalTable = literalTables.get(canonicalPath);
    if (literalTable !== undefined) {
      const route = pickRoute(literalTable, method);
      // Reached by literal steps only: no parameters and no wildcard rest to fill in.
      if (route !== undefined)
        return { kind: 'found', value: route.value, params: NO_PARAMS, wildcardRest: undefined };
    }
    // The literal tables above are built at compile time and never emptied: a flood of distinct
    // paths, which empties the memo, cannot slow `/static` or `/health`.
    const known = remembered.get(method, canonicalPath);
    if (known !== undefined) return known;
    // A path to remember is matched on its own copy: the request's path is usually a slice of
    // its whole URL, and the memo's key, params and rest would otherwise keep that URL (its
    // query string included) alive.
    const path = canonicalPath.length <= MEMO_MAX_PATH_LENGTH ? asPropertyKey(canonicalPath) : canonicalPath;
    const parts = path.split('/');
    const route = findExact(root, parts, 1, method) ?? findWildcard(root, parts, 1, method);
    if (route !== undefined) return remembered.keep(method, path, found(route, parts, path));
    const allow = new Set<string>();
    someMatchingTable(root, parts, 1, (table) => {
      for (const allowed of allowedMethods(table)) allow.add(allowed);
      return false;
    });
    return allow.size === 0 ? NOT_FOUND : { kind: 'method-not-allowed', allow: [...allow].sort() };
  }

  function hasExplicitMethod(method: string, canonicalPath: string): boolean {
    if (method === 'ANY' || canonicalPath.charCodeAt(0) !== SLASH) return false;
    return someMatchingTable(root, canonicalPath.split('/'), 1, (table) => table.byMethod.has(method));
  }

  function explain(method: string, canonicalPath: string): ReturnType<Router<T>['explain']> {
    const { winner, lines } = explainMatch(compiled, method, canonicalPath);
    return { winner: winner === undefined ? undefined : routes[winner.rank.index], lines };
  }

  return { match, hasExplicitMethod, list: () => ordered, explain };
}

/** Paths longer than this are matched afresh each time: the memo's memory stays bounded. */
const MEMO_MAX_PATH_LENGTH = 256;
/** Found matches remembered, all methods together, before the memo starts over. */
const MEMO_MAX_ENTRIES = 4096;

/**
 * The found matches of recent (method, path) pairs. A match is a pure function of the two and
 * the router, and a service's traffic repeats a few paths (`/api/items/42`), so the tree walk,
 * the split into segments and the params object are paid once per pair rather than per request
 * (docs/ARCHITECTURE.md "Performance devices"). Only found matches are kept, frozen (requests
 * share them); the memo is emptied when full, so distinct paths sent on purpose cost a lookup
 * and an insert each and at most MEMO_MAX_ENTRIES × MEMO_MAX_PATH_LENGTH characters of keys.
 */
class MatchMemo<T> {
  readonly #byMethod = new Map<string, Map<string, FoundRoute<T>>>();
  #entries = 0;

  get(method: string, path: string): FoundRoute<T> | undefined {
    return this.#byMethod.get(method)?.get(path);
  }

  keep(method: string, path: string, match: FoundRoute<T>): FoundRoute<T> {
    if (path.length > MEMO_MAX_PATH_LENGTH) return match;
    if (this.#entries >= MEMO_MAX_ENTRIES) {
      this.#byMethod.clear();
      this.#entries = 0;
    }
    let byPath = this.#byMethod.get(method);
    if (byPath === undefined) {
      byPath = new Map();
      this.#byMethod.set(method, byPath);
    }
    Object.freeze(match.params);
    byPath.set(path, Object.freeze(match));
    this.#entries++;
    return match;
  }
}

function compileRoute<T>(route: RouteDefinition<T>, index: number): CompiledRoute<T> {
  if (!(ROUTE_METHODS as readonly string[]).includes(route.method)) {
    throw new Error(`route #${index}: unknown method "${String(route.method)}"`);
  }
  const parsed = parsePathPattern(route.path);
  if (!parsed.ok) throw new Error(`route #${index} (${route.method} ${route.path}): ${parsed.error}`);
  const { pattern } = parsed;
  const paramSlots = exactlySized(
    pattern.segments.flatMap((segment, position) =>
      segment.kind === 'param' ? [{ position, name: asPropertyKey(segment.name) }] : [],
    ),
  );
  return {
    method: route.method,
    path: route.path,
    value: route.value,
    pattern,
    rank: rankKeyOf(pattern, route.method, index),
    paramSlots,
  };
}

/**
 * The same text as a property-key string. Names cut out of the pattern are fresh strings, and
 * V8 looks such a key up in its string table on every store into a prototype-less object;
 * measured, that made a match with 10,000 routes ~3× slower than with 10. A key taken back out
 * of an object is already in the table, and it is a string of its own, never a slice that keeps
 * a longer string alive (the memo's keys rely on that).
 */
function asPropertyKey(name: string): string {
  return Object.keys({ [name]: true })[0] ?? name;
}

function found<T>(route: CompiledRoute<T>, parts: readonly string[], path: string): FoundRoute<T> {
  return {
    kind: 'found',
    value: route.value,
    params: paramsOf(route, parts),
    wildcardRest: route.pattern.wildcard ? restAfter(path, parts, route.rank.prefixLength) : undefined,
  };
}

function paramsOf<T>(route: CompiledRoute<T>, parts: readonly string[]): Readonly<Record<string, string>> {
  if (route.paramSlots.length === 0) return NO_PARAMS;
  const params = Object.create(null) as Record<string, string>;
  // parts[0] is the empty text before the leading slash, so segment `position` is parts[position + 1].
  for (const slot of route.paramSlots) params[slot.name] = parts[slot.position + 1] as string;
  return params;
}

/**
 * The path after the wildcard's prefix, without its leading slash (docs/BEHAVIOUR.md http_proxy):
 * `/proxy/a/b` on `/proxy/{.+}` → `a/b`, `/proxy` → ``, `/proxy/a/` → `a/`. Measured on the
 * path itself so only the one result string is allocated.
 */
function restAfter(path: string, parts: readonly string[], prefixLength: number): string {
  if (prefixLength + 1 >= parts.length) return '';
  let offset = 1;
  for (let i = 1; i <= prefixLength; i++) offset += (parts[i] as string).length + 1;
  return path.slice(offset);
}
