import { Answer } from '../answer.js';
import type { Handler } from '../context.js';
import type { RouteConfig } from '../config/schema.js';
import { isNullBodyStatus } from '../errors/statuses.js';

/**
 * A route without an integration answers its `response` as JSON (docs/BEHAVIOUR.md "Static
 * responses"). Everything about the answer is fixed by the config, so it is built once and shared
 * by every request; the gateway's exit adds the per-request headers to a copy.
 */
export function createStaticHandler(route: RouteConfig): Handler {
  const body = route.response === undefined ? null : JSON.stringify(route.response);
  const status = route.status ?? 200;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(route.headers ?? {})) headers[name.toLowerCase()] = value;
  const sentBody = isNullBodyStatus(status) ? null : body;
  const answer = new Answer(status, headers, sentBody);
  return () => answer;
}
