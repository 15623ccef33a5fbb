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

export function isStrict(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.GATEHOUSE_STRICT === '1' || env.GATEHOUSE_STRICT === 'true';
}
