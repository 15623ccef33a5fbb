import type { Handler } from '../context.js';
import type { RouteConfig } from '../config/schema.js';

/**
 * A route without an integration answers its `response` as JSON (behaviour.md "Static
 * responses"). The body text and headers are fixed by the config, so they are built once; each
 * request only gets its own mutable Headers (the gateway's exit decorates them).
 */
export function createStaticHandler(route: RouteConfig): Handler {
  const body = route.response === undefined ? null : JSON.stringify(route.response);
  const status = route.status ?? 200;
  const headerEntries: [string, string][] = [
    ['content-type', 'application/json'],
    ...Object.entries(route.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v] as [string, string]),
  ];
  // A 204/304 may not carry a body (Fetch standard: "null body status").
  const sendsBody = status !== 204 && status !== 304 ? body : null;
  return () => new Response(sendsBody, { status, headers: headerEntries });
}
