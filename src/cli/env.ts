import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * The environment `$env`/`$secret` references resolve from: the process environment, overlaid
 * by `--env-file` (dotenv syntax, parsed by Node itself) when given.
 */
export function loadEnvironment(envFile: string | undefined): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  if (envFile !== undefined) Object.assign(env, parseEnv(readEnvFile(envFile)));
  return env;
}

/** A usage problem (exit 2): an `--env-file` that cannot be read, named with the reason. */
export class EnvFileError extends Error {
  override readonly name = 'EnvFileError';
}

function readEnvFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new EnvFileError(`--env-file ${path}: ${reason} (${resolve(path)})`);
  }
}

export { isStrictMode as isStrict } from '../config/strict-mode.js';
