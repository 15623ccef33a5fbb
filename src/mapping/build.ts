import { configError, pointerToken, type ConfigProblem } from '../config/problems.js';
import type { MappingConfig } from '../config/schema.js';
import { compileTemplate, type CompiledTemplate, type TemplateScope } from './compile-template.js';
import { parseTemplate } from './template.js';
import { headerValueRefusal, isHeaderName, queryValueRefusal } from './text.js';
import { HOP_BY_HOP_HEADERS } from '../proxy/hop-by-hop.js';

/** One mapped header or query parameter, ready to apply. */
export interface MappingEntry {
  /** Header names lower-cased; query names as written (they are case-sensitive). */
  readonly name: string;
  readonly template: CompiledTemplate;
}

export interface BuiltMapping {
  readonly problems: readonly ConfigProblem[];
  readonly headers: readonly MappingEntry[];
  readonly query: readonly MappingEntry[];
}

// Headers that belong to the connection or to message framing (docs/BEHAVIOUR.md "6. http_proxy",
// RFC 9110 §7.6.1): a mapped value there would be stripped, or could desynchronize the upstream.
const RESERVED_HEADERS: ReadonlySet<string> = new Set([...HOP_BY_HOP_HEADERS, 'content-length', 'host']);

function headerNameProblem(name: string, lower: string, seen: ReadonlySet<string>): string | undefined {
  if (!isHeaderName(name)) return `"${name}" is not a valid header name`;
  if (RESERVED_HEADERS.has(lower)) return `"${name}" is managed by the gateway and cannot be mapped`;
  if (seen.has(lower)) return `"${name}" is mapped twice (header names are case-insensitive)`;
  return undefined;
}

function buildEntry(
  name: string,
  template: string,
  at: string,
  scope: TemplateScope,
  refusal: (value: string) => string | undefined,
  problems: ConfigProblem[],
): CompiledTemplate | undefined {
  const parsed = parseTemplate(template);
  if (!parsed.ok) {
    problems.push(configError(at, parsed.error));
    return undefined;
  }
  const messages: string[] = [];
  const compiled = compileTemplate(parsed.parts, scope, messages);
  for (const message of messages) problems.push(configError(at, message));
  if (compiled.constant && compiled.value !== undefined) {
    // Checked once here, so constants skip the per-request check. The value is not quoted: it
    // may come from a `$secret` reference.
    const reason = refusal(compiled.value);
    if (reason !== undefined) problems.push(configError(at, `the value of "${name}" is refused: ${reason}`));
  }
  return compiled;
}

/**
 * Parses and compiles `mapping` once, collecting every config problem with its JSON pointer.
 * compile.ts `checkMapping` turns it into the route's compiled mapping and its problems.
 */
export function buildMapping(mapping: MappingConfig, pointer: string, scope: TemplateScope): BuiltMapping {
  const problems: ConfigProblem[] = [];
  const headers: MappingEntry[] = [];
  const query: MappingEntry[] = [];

  const seen = new Set<string>();
  for (const [name, template] of Object.entries(mapping.headers ?? {})) {
    const at = `${pointer}/headers/${pointerToken(name)}`;
    const lower = name.toLowerCase();
    const nameProblem = headerNameProblem(name, lower, seen);
    seen.add(lower);
    if (nameProblem !== undefined) problems.push(configError(at, nameProblem));
    const compiled = buildEntry(name, template, at, scope, headerValueRefusal, problems);
    if (compiled !== undefined) headers.push({ name: lower, template: compiled });
  }

  for (const [name, template] of Object.entries(mapping.query ?? {})) {
    const at = `${pointer}/query/${pointerToken(name)}`;
    if (name === '') problems.push(configError(at, 'a query parameter name cannot be empty'));
    const compiled = buildEntry(name, template, at, scope, queryValueRefusal, problems);
    if (compiled !== undefined) query.push({ name, template: compiled });
  }
  return { problems, headers, query };
}
