import { lintIdentityFlows } from '../integrations/identity/lint.js';
import { locateJsonSyntaxError } from './json-syntax.js';
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
function withoutFollowOns(problems: ConfigProblem[], unresolved: readonly ConfigProblem[]): ConfigProblem[] {
  if (unresolved.length === 0) return problems;
  const roots = unresolved.map((p) => p.pointer);
  return problems.filter(
    (problem) => !roots.some((root) => problem.pointer === root || problem.pointer.startsWith(`${root}/`)),
  );
}

export function loadConfig(input: unknown, options: LoadOptions): LoadedConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigInvalidError([configError('', 'the configuration must be a JSON object')]);
  }
  const normalized = normalizeConfig(input);
  const resolved = resolveReferences(normalized.config, options.env);
  const schemaProblems = validateAgainstSchema(resolved.config);
  const problems = [...resolved.problems, ...withoutFollowOns(schemaProblems, resolved.problems)];
  if (!schemaProblems.some((p) => p.severity === 'error')) {
    const config = resolved.config as GatewayConfig;
    problems.push(
      ...withoutFollowOns(
        [
          ...lintConfig(config, { strict: options.strict ?? false }),
          ...lintIdentityFlows(config, options.env),
        ],
        resolved.problems,
      ),
    );
  }
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = [...normalized.warnings, ...problems.filter((p) => p.severity === 'warning')];
  if (errors.length > 0) throw new ConfigInvalidError([...errors, ...warnings]);
  return { config: resolved.config as GatewayConfig, warnings, referenced: resolved.referenced };
}
