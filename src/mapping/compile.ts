import type { Checked } from '../config/problems.js';
import type { MappingConfig } from '../config/schema.js';
import { buildMapping, type MappingEntry } from './build.js';
import type { MappingSources, TemplateScope } from './compile-template.js';
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
 * Checks and compiles a route's `mapping` in one pass: templates parsed, `$config` folded, claim
 * paths split, and every problem found on the way, placed under `pointer`. The value is
 * undefined when a problem is an error (an unchecked typo is never sent as a constant) or when
 * there is nothing to map (the route then pays nothing for mapping).
 */
export function checkMapping(
  mapping: MappingConfig,
  pointer: string,
  scope: TemplateScope,
): Checked<CompiledMapping> {
  const built = buildMapping(mapping, pointer, scope);
  const { headers, query, problems } = built;
  if (problems.some((problem) => problem.severity === 'error')) return { value: undefined, problems };
  if (headers.length === 0 && query.length === 0) return { value: undefined, problems };
  return { value: compiledMapping(headers, query), problems };
}

function compiledMapping(headers: readonly MappingEntry[], query: readonly MappingEntry[]): CompiledMapping {
  return {
    headerNames: headers.map((entry) => entry.name),
    queryNames: query.map((entry) => entry.name),
    apply(sources, target, targetQuery, onDropped) {
      applyEntries(headers, sources, target, headerValueRefusal, onDropped);
      applyEntries(query, sources, targetQuery, queryValueRefusal, onDropped);
    },
  };
}
