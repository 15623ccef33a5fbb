import type { ConfigProblem } from '../config/problems.js';
import type { MappingConfig } from '../config/schema.js';
import { checkMapping } from './compile.js';

/**
 * Semantic rules of a route's `mapping` (docs/BEHAVIOUR.md "7. Value mapping"): unknown sources
 * (`$request.body.x`, `$requst.header.x`), `$config.KEY` with KEY in neither the route's nor the
 * global `variables`, invalid or gateway-managed header names, header names mapped twice, constant
 * values with CR/LF/NUL, and, when `pathParams` (the route's `{name}` parameters) is given,
 * `$request.path.NAME` naming no parameter. Each problem points at its entry, e.g.
 * `/paths/3/mapping/headers/X-User-Id`.
 */
export function lintMapping(
  mapping: MappingConfig,
  pointer: string,
  routeVariables: Record<string, unknown> | undefined,
  globalVariables: Record<string, unknown> | undefined,
  pathParams?: readonly string[],
): ConfigProblem[] {
  return [...checkMapping(mapping, pointer, { routeVariables, globalVariables, pathParams }).problems];
}
