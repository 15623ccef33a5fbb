import { readConfig, withoutFollowOns } from '../config/load.js';
import { isUnknownKeyProblem } from '../config/validate-schema.js';
import { ConfigInvalidError, type ConfigProblem } from '../config/problems.js';
import type { GatewayConfig } from '../config/schema.js';
import { checkConfig, type CheckedParts } from './check-config.js';
import { CONFIG_SCHEMA } from './config-schema.js';

/**
 * A parsed config → a checked config: the schema and reference problems of config/load.ts plus
 * the semantic rules of check-config.ts, all of them in one list. Any error refuses the config
 * (ConfigInvalidError carries every problem found, errors first); warnings never do.
 */
export interface LoadedConfig {
  readonly config: GatewayConfig;
  /** Deprecations and weak settings; never refuse the config. */
  readonly warnings: readonly ConfigProblem[];
  /** Variable names the config referenced with `$env`/`$secret`. */
  readonly referenced: ReadonlyMap<string, 'env' | 'secret'>;
  /** What the checks compiled on the way (CORS, authorizer plans, mappings, flow authorizers). */
  readonly parts: CheckedParts;
}

/** Every problem of a config, errors first, and what the checks compiled. Never throws. */
export interface CheckedSource {
  readonly loaded: LoadedConfig;
  readonly errors: readonly ConfigProblem[];
  /** Whether the schema accepted the part at `pointer` (and everything under it). */
  readonly schemaValid: (pointer: string) => boolean;
}

export interface LoadOptions {
  readonly env: Readonly<Record<string, unknown>>;
  readonly strict?: boolean;
}

export function loadConfig(input: unknown, options: LoadOptions): LoadedConfig {
  const { loaded, errors } = checkSource(input, options);
  if (errors.length > 0) throw new ConfigInvalidError([...errors, ...loaded.warnings]);
  return loaded;
}

/** loadConfig without the throw: the build step adds the problems only compiling finds. */
export function checkSource(input: unknown, options: LoadOptions): CheckedSource {
  const source = readConfig(input, options.env, CONFIG_SCHEMA);
  // A key the schema already reported as unknown is not reported a second time by a rule that
  // also looks at keys (an authorizer's "does not apply to this type"); a problem caused only by
  // an unresolved reference is not reported beside it.
  const unknownKeys = new Set(source.problems.filter(isUnknownKeyProblem).map((p) => p.pointer));
  const checked = checkConfig(source, { strict: options.strict ?? false, env: options.env });
  const problems = [
    ...source.problems,
    ...withoutFollowOns(
      checked.problems.filter((p) => !unknownKeys.has(p.pointer)),
      source.unresolved,
    ),
  ];
  return {
    loaded: {
      config: source.config as unknown as GatewayConfig,
      warnings: problems.filter((p) => p.severity === 'warning'),
      referenced: source.referenced,
      parts: checked.parts,
    },
    errors: problems.filter((p) => p.severity === 'error'),
    schemaValid: (pointer) => !source.schemaErrorAt(pointer),
  };
}
