import { ConfigInvalidError, configError, type ConfigProblem } from './problems.js';
import { resolveReferences } from './resolve.js';
import { normalizeConfig } from './normalize.js';
import { isUnknownKeyProblem, validateAgainstSchema } from './validate-schema.js';

/**
 * Config text → the config object as the schema sees it, in the order of docs/CONFIG.md
 * "Loading, once": parse, normalize legacy spellings, resolve `$env`/`$secret` references,
 * validate against the schema. The semantic rules, which need the feature modules, run above
 * this folder (assembly/check-config.ts); nothing here imports a feature folder.
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
  /** True when the schema refused the value at `pointer`, a value inside it, or one above it. */
  schemaErrorAt(pointer: string): boolean;
}

export function parseConfigText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigInvalidError([configError('', `not valid JSON: ${(error as Error).message}`)]);
  }
}

export function readConfig(input: unknown, env: Readonly<Record<string, unknown>>): SourceConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigInvalidError([configError('', 'the configuration must be a JSON object')]);
  }
  const normalized = normalizeConfig(input);
  const resolved = resolveReferences(normalized.config, env);
  const schemaProblems = validateAgainstSchema(resolved.config);
  // An unset reference keeps its `$env.NAME` text, which has the schema's shape, and an unknown
  // key leaves the known keys around it checked: only the other schema errors make a part
  // untrustworthy for the semantic rules.
  const refused = schemaProblems.filter((p) => !isUnknownKeyProblem(p)).map((p) => p.pointer);
  const problems = [...normalized.warnings, ...resolved.problems, ...schemaProblems];
  return {
    config: resolved.config as Record<string, unknown>,
    problems,
    referenced: resolved.referenced,
    schemaErrorAt: (pointer) =>
      refused.some(
        (at) => at === pointer || at.startsWith(`${pointer}/`) || (at !== '' && pointer.startsWith(`${at}/`)),
      ),
  };
}
