/**
 * Which client header names a route never forwards beyond the fixed drop list (docs/BEHAVIOUR.md
 * "Hostile input"). CGI, WSGI, Rack and PHP turn `X-User-Id`, `X_User_Id` and `x-user_id` into
 * the one variable `HTTP_X_USER_ID`, so a client header whose name folds onto a header the
 * gateway sets (mapping, forwarding, request id) could stand in for it upstream. By default
 * every name with `_` is dropped, as nginx does (`underscores_in_headers off`); with
 * `gateway.allow_underscores_in_headers` only the names that fold onto a gateway-set one are.
 * Method-override headers make frameworks treat a POST as a DELETE behind the route's method
 * check, so they are dropped unless the route sets `allow_method_override`.
 */
export interface HeaderDrops {
  has(name: string): boolean;
}

export interface HeaderPolicyOptions {
  /** gateway.allow_underscores_in_headers (default false). */
  readonly allowUnderscores?: boolean | undefined;
  /** Route `allow_method_override` (default false). */
  readonly allowMethodOverride?: boolean | undefined;
}

export const METHOD_OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'];

/** `X_User_Id` → `x-user-id`: the name as a CGI-style server sees it. */
export function foldHeaderName(name: string): string {
  return name.toLowerCase().replaceAll('_', '-');
}

/**
 * Routes with the same drops share one `HeaderDrops`: nearly every route of a config drops the
 * same names, and two sets of some 25 names per proxied route were 2.6 KiB each, 13 MiB of heap
 * at 10,000 routes (docs/ARCHITECTURE.md "Memory"). Keyed by everything the result depends on;
 * bounded, as reloads may bring new combinations.
 */
const shared = new Map<string, HeaderDrops>();
const MAX_SHARED = 256;

/**
 * `exact` is every lower-case name the route drops; `gatewaySet` the names the gateway itself
 * sets upstream. Both are fixed per route, so the folded set is built once.
 */
export function compileHeaderDrops(
  exact: ReadonlySet<string>,
  gatewaySet: readonly string[],
  options: HeaderPolicyOptions,
): HeaderDrops {
  const key = `${options.allowUnderscores === true}|${options.allowMethodOverride === true}|${[...exact].join(',')}|${gatewaySet.join(',')}`;
  let found = shared.get(key);
  if (found === undefined) {
    if (shared.size >= MAX_SHARED) shared.clear();
    found = buildHeaderDrops(exact, gatewaySet, options);
    shared.set(key, found);
  }
  return found;
}

function buildHeaderDrops(
  exact: ReadonlySet<string>,
  gatewaySet: readonly string[],
  options: HeaderPolicyOptions,
): HeaderDrops {
  const drops = new Set(exact);
  if (!options.allowMethodOverride) for (const name of METHOD_OVERRIDE_HEADERS) drops.add(name);
  const folded = new Set([...drops, ...gatewaySet].map(foldHeaderName));
  const allowUnderscores = options.allowUnderscores ?? false;
  return {
    has(name) {
      if (drops.has(name)) return true;
      if (!name.includes('_')) return false;
      return !allowUnderscores || folded.has(foldHeaderName(name));
    },
  };
}
