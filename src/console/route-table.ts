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
      rateLimits: rateLimitPolicies(route),
      hooks,
    };
  });
}

/**
 * Traffic control (rate limiting) is a later feature; when its route key lands (a policy name or
 * a list of them), the console lists it without a change here.
 */
function rateLimitPolicies(route: RouteConfig): string[] {
  const value = (route as Readonly<Record<string, unknown>>).rate_limit;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}
