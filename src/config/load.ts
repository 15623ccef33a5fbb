import { lintIdentityFlows } from '../integrations/identity/lint.js';
import { lintConfig } from './lint.js';
import { normalizeConfig } from './normalize.js';
import { ConfigInvalidError, configError, type ConfigProblem } from './problems.js';
import { resolveReferences } from './resolve.js';
import type { GatewayConfig } from './schema.js';
import { validateAgainstSchema } from './validate-schema.js';

/**
 * Config text → a validated config object, in the order of config.md "Loading, once":
 * parse, normalize legacy spellings, resolve `$env`/`$secret` references, validate against the
 * schema, then the semantic rules. Runs once per process/isolate (and on reload), never per request.
 */
export interface LoadedConfig {
  readonly config: GatewayConfig;
  /** Deprecations and weak settings; never refuse the config. */
  readonly warnings: readonly ConfigProblem[];
  /** Variable names the config referenced with `$env`/`$secret`. */
  readonly referenced: ReadonlyMap<string, 'env' | 'secret'>;
}

export interface LoadOptions {
  readonly env: Readonly<Record<string, unknown>>;
  readonly strict?: boolean;
}

export function parseConfigText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigInvalidError([configError('', `not valid JSON: ${(error as Error).message}`)]);
  }
}

export function loadConfig(input: unknown, options: LoadOptions): LoadedConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigInvalidError([configError('', 'the configuration must be a JSON object')]);
  }
  const normalized = normalizeConfig(input);
  const resolved = resolveReferences(normalized.config, options.env);
  const schemaProblems = validateAgainstSchema(resolved.config);
  const problems = [...resolved.problems, ...schemaProblems];
  if (schemaProblems.length === 0) {
    const config = resolved.config as GatewayConfig;
    problems.push(...lintConfig(config, { strict: options.strict ?? false }));
    problems.push(...lintIdentityFlows(config, options.env));
  }
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = [...normalized.warnings, ...problems.filter((p) => p.severity === 'warning')];
  if (errors.length > 0) throw new ConfigInvalidError([...errors, ...warnings]);
  return { config: resolved.config as GatewayConfig, warnings, referenced: resolved.referenced };
}
