import { parseArgs } from 'node:util';
import { resolveConfigSource } from '../adapters/node/config-source.js';
import { compileFromSource } from '../adapters/node/runtime.js';
import { ConfigInvalidError, formatProblem } from '../config/problems.js';
import { isStrict, loadEnvironment } from './env.js';
import type { CliIo } from './io.js';
import { offlinePlatform } from './offline-platform.js';

/** `gatehouse validate [--config FILE] [--env-file FILE]`: exit 0 valid, 1 with one line per problem. */
export async function runValidate(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, 'env-file': { type: 'string' } },
  });
  const env = loadEnvironment(values['env-file']);
  const source = resolveConfigSource(values.config, env);
  try {
    const compiled = await compileFromSource(source, offlinePlatform(env), isStrict(env));
    for (const warning of compiled.warnings) io.stderr(formatProblem(warning));
    const count = compiled.config.paths.length;
    io.stdout(`${source.label}: valid (${count} route${count === 1 ? '' : 's'})`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigInvalidError)) throw error;
    for (const problem of error.problems) io.stderr(formatProblem(problem));
    return 1;
  }
}
