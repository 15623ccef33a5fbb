import type { TSchema } from '@sinclair/typebox';
import { locateJsonSyntaxError } from './json-syntax.js';
import { ConfigInvalidError, configError, type ConfigProblem } from './problems.js';
import { resolveReferences } from './resolve.js';
import { normalizeConfig } from './normalize.js';
import { isUnknownKeyProblem, validateAgainstSchema } from './validate-schema.js';

/**
 * Config text → the config object as the schema sees it, in the order of docs/CONFIG.md
 * "Loading, once": parse, normalize legacy spellings, resolve `$env`/`$secret` references,
 * validate against the schema. The schema (assembled from the integration types' parts) and the
 * semantic rules, which need the feature modules, come from above this folder
 * (src/assembly/config-schema.ts, check-config.ts); nothing here imports a feature folder.
 */
export interface SourceConfig {
  /**
   * The normalized config with references resolved. Shaped as the schema says wherever
   * `schemaErrorAt` finds no error; a checker must not trust the other parts.
   */
  readonly config: Readonly<Record<string, unknown>>;
  /** Reference and schema problems (errors), and deprecations (warnings). */
  readonly problems: readonly ConfigProblem[];
  /** Variable names the config referenced with `$env`/`$secret`. */
  readonly referenced: ReadonlyMap<string, 'env' | 'secret'>;
  /** The references to unset variables (also in `problems`): rules must not judge their text. */
  readonly unresolved: readonly ConfigProblem[];
  /** True when the schema refused the value at `pointer`, a value inside it, or one above it. */
  schemaErrorAt(pointer: string): boolean;
}

export function parseConfigText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const where = locateJsonSyntaxError(text);
    // V8's own wording without its position, which differs between Node versions.
    const reason = (error as Error).message
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/ \(line \d+ column \d+\)$/, '')
      .replace(/^(Unexpected token '.+?'), ".*" is not valid JSON$/s, '$1');
    throw new ConfigInvalidError([
      configError(
        '',
        `not valid JSON at line ${where.line}, column ${where.column}: ${reason}\n${where.excerpt}`,
      ),
    ]);
  }
}

/**
 * An unresolved `$env`/`$secret` reference is reported once, at its pointer; the rules that then
 * looked at the placeholder text (a 15-byte "secret", a "domain" that is not a host) would only
 * describe the placeholder, so their problems at or below that pointer are dropped.
 */
export function withoutFollowOns(
  problems: readonly ConfigProblem[],
  unresolved: readonly ConfigProblem[],
): ConfigProblem[] {
  if (unresolved.length === 0) return [...problems];
  const roots = unresolved.map((p) => p.pointer);
  return problems.filter(
    (problem) => !roots.some((root) => problem.pointer === root || problem.pointer.startsWith(`${root}/`)),
  );
}

export function readConfig(
  input: unknown,
  env: Readonly<Record<string, unknown>>,
  schema: TSchema,
): SourceConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigInvalidError([configError('', 'the configuration must be a JSON object')]);
  }
  const normalized = normalizeConfig(input);
  const resolved = resolveReferences(normalized.config, env);
  const schemaProblems = validateAgainstSchema(resolved.config, schema);
  // An unset reference keeps its `$env.NAME` text, which has the schema's shape, and an unknown
  // key leaves the known keys around it checked: only the other schema errors make a part
  // untrustworthy for the semantic rules. Schema warnings (unknown keys where they change
  // nothing) leave the part trustworthy too.
  const refused = schemaProblems
    .filter((p) => p.severity === 'error' && !isUnknownKeyProblem(p))
    .map((p) => p.pointer);
  const problems = [
    ...normalized.warnings,
    ...resolved.problems,
    ...withoutFollowOns(schemaProblems, resolved.problems),
  ];
  return {
    config: resolved.config as Record<string, unknown>,
    problems,
    referenced: resolved.referenced,
    unresolved: resolved.problems,
    schemaErrorAt: (pointer) =>
      refused.some(
        (at) => at === pointer || at.startsWith(`${pointer}/`) || (at !== '' && pointer.startsWith(`${at}/`)),
      ),
  };
}
