import { ConfigInvalidError } from '../config/problems.js';
import type { MappingConfig } from '../config/schema.js';
import { buildMapping, type MappingEntry } from './build.js';
import type { MappingSources } from './compile-template.js';
import { headerValueRefusal, queryValueRefusal } from './text.js';

export interface CompiledMapping {
  /** Lower-cased header names this mapping sets: the proxy deletes these from the forwarded request before applying. */
  readonly headerNames: readonly string[];
  readonly queryNames: readonly string[];
  /**
   * Sets/removes mapped headers on `target` and mapped params on `targetQuery` (both already
   * stripped of client values of the same names). `onDropped(name, reason)` is called for values
   * refused (CR/LF/NUL, invalid header value); the reason never contains the value.
   */
  apply(
    sources: MappingSources,
    target: HeaderTarget,
    targetQuery: URLSearchParams,
    onDropped: (name: string, reason: string) => void,
  ): void;
}

/** What applying mapped headers needs: a Headers object, or the Node proxy's pair list. */
export type HeaderTarget = Pick<Headers, 'get' | 'set' | 'delete'>;

/** Headers and URLSearchParams both offer what applying needs. */
type Target = HeaderTarget | Pick<URLSearchParams, 'set' | 'delete'>;

/**
 * Sets or removes each entry. Nothing, or a refused value, deletes the name even though the
 * caller stripped client values already: that a client-sent value never survives a mapping is a
 * security promise (docs/COMPAT.md row 15), so it does not rest on the caller alone.
 */
function applyEntries(
  entries: readonly MappingEntry[],
  sources: MappingSources,
  target: Target,
  refusal: (value: string) => string | undefined,
  onDropped: (name: string, reason: string) => void,
): void {
  for (const { name, template } of entries) {
    // Constants were checked at compile time.
    const value = template.constant ? template.value : template.resolve(sources);
    if (value === undefined) {
      target.delete(name);
      continue;
    }
    const reason = template.constant ? undefined : refusal(value);
    if (reason !== undefined) {
      target.delete(name);
      onDropped(name, reason);
      continue;
    }
    target.set(name, value);
  }
}

/**
 * Compiles a route's `mapping` once: templates parsed, `$config` folded, claim paths split.
 * `undefined` when there is nothing to map. Throws {@link ConfigInvalidError} on any problem
 * lint would report as an error (`pointer` only places those problems), so an unchecked config
 * cannot send a typo'd reference as a constant.
 */
export function compileMapping(
  mapping: MappingConfig | undefined,
  routeVariables: Record<string, unknown> | undefined,
  globalVariables: Record<string, unknown> | undefined,
  pointer = '/mapping',
): CompiledMapping | undefined {
  if (mapping === undefined) return undefined;
  const built = buildMapping(mapping, pointer, { routeVariables, globalVariables });
  const errors = built.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) throw new ConfigInvalidError(errors);
  const { headers, query } = built;
  if (headers.length === 0 && query.length === 0) return undefined;

  return {
    headerNames: headers.map((entry) => entry.name),
    queryNames: query.map((entry) => entry.name),
    apply(sources, target, targetQuery, onDropped) {
      applyEntries(headers, sources, target, headerValueRefusal, onDropped);
      applyEntries(query, sources, targetQuery, queryValueRefusal, onDropped);
    },
  };
}
