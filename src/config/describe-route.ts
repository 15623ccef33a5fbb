import type { RouteConfig } from './schema.js';

/**
 * How a route is named to a person, in `gatehouse routes` and in the web console
 * (docs/CONSOLE.md): its target (`http_proxy → api`, `static 200`) and its auth.
 */
export function describeTarget(route: RouteConfig): string {
  const integration = route.integration;
  if (!integration) return `static ${route.status ?? 200}`;
  if (integration.type === 'http_proxy') return `http_proxy → ${integration.server ?? '?'}`;
  return integration.binding ? `${integration.type} → ${integration.binding}` : integration.type;
}

export function describeAuth(route: RouteConfig): string {
  if (route.auth === undefined || route.auth === false) return '-';
  const name = route.auth === true ? 'authorizer' : route.auth;
  return route.scopes?.length ? `${name} [${route.scopes.join(' ')}]` : name;
}

/** The authorizer a route uses (`default` for `auth: true`), or undefined when it has none. */
export function routeAuthorizerName(route: Pick<RouteConfig, 'auth'>): string | undefined {
  if (route.auth === undefined || route.auth === false) return undefined;
  return route.auth === true ? 'default' : route.auth;
}
