import type { CompiledGateway } from '../assembly/compile-gateway.js';
import { describeTarget, routeAuthorizerName } from '../config/describe-route.js';
import type { RouteConfig } from '../config/schema.js';

/** One row of the console's route table (docs/CONSOLE.md "Routes"), in precedence order. */
export interface RouteRow {
  /** Position in the precedence order, from 1. */
  readonly rank: number;
  /** Index in the config's `paths` array. */
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly integration: string;
  readonly target: string;
  readonly authorizer: string | undefined;
  readonly scopes: readonly string[];
  /** Rate-limit policies the route names, when the config has any. */
  readonly rateLimits: readonly string[];
  /** `pre_process` / `post_process` hooks as `binding.function`. */
  readonly hooks: readonly string[];
}

/** The route table as the router orders it: the same order `gatehouse routes` prints. */
export function routeTable(compiled: CompiledGateway): RouteRow[] {
  return compiled.router.list().map((entry, i) => {
    const route = compiled.config.paths[entry.value.index] as RouteConfig;
    const hooks: string[] = [];
    if (route.pre_process)
      hooks.push(`pre_process ${route.pre_process.binding}.${route.pre_process.function}`);
    const post = route.integration?.post_process;
    if (post) hooks.push(`post_process ${post.binding}.${post.function}`);
    return {
      rank: i + 1,
      index: entry.value.index,
      method: entry.method,
      path: entry.path,
      integration: route.integration?.type ?? 'static',
      target: describeTarget(route),
      authorizer: routeAuthorizerName(route),
      scopes: route.scopes ?? [],
      rateLimits: rateLimitPolicies(route, compiled.config),
      hooks,
    };
  });
}

/**
 * The route's rate-limit policies (docs/TRAFFIC.md "Policies"): its own `rate_limit`, else
 * `gateway.default_rate_limit` (marked as the default); `false` opts out. Each policy is shown
 * with its limit and window.
 */
function rateLimitPolicies(route: RouteConfig, config: CompiledGateway['config']): string[] {
  const own = route.rate_limit;
  if (own === false) return [];
  const fallback = config.gateway?.default_rate_limit;
  const names = own ?? fallback;
  if (names === undefined) return [];
  const list = typeof names === 'string' ? [names] : [...names];
  const policies = config.rate_limits ?? {};
  return list.map((name) => {
    const policy = Object.hasOwn(policies, name) ? policies[name] : undefined;
    const figure = policy ? ` (${policy.limit}/${policy.window_s} s)` : '';
    return `${name}${figure}${own === undefined ? ' (default)' : ''}`;
  });
}
