import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * The environment `$env`/`$secret` references resolve from: the process environment, overlaid
 * by `--env-file` (dotenv syntax, parsed by Node itself) when given.
 */
export function loadEnvironment(envFile: string | undefined): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  if (envFile !== undefined) Object.assign(env, parseEnv(readFileSync(envFile, 'utf8')));
  return env;
}

export { isStrictMode as isStrict } from '../config/strict-mode.js';
