import { resolveConfigSource } from '../adapters/node/config-source.js';
import { compileFromSource } from '../adapters/node/runtime.js';
import { ConfigInvalidError, formatProblem } from '../config/problems.js';
import { isStrict, loadEnvironment } from './env.js';
import { processIo, type CliIo } from './io.js';
import { offlinePlatform } from './offline-platform.js';
import { runRoutes } from './routes.js';
import { runSchema } from './schema.js';
import { runStart } from './start.js';
import { runTokenCommand } from './token.js';
import { runValidate } from './validate.js';

const USAGE = `usage:
  gatehouse start    [--config FILE] [--port N] [--host H] [--env-file FILE] [--log-level L] [--binding NAME=PATH]...
  gatehouse validate [--config FILE] [--env-file FILE]
  gatehouse schema
  gatehouse routes   [--config FILE] [METHOD PATH]
  gatehouse token mint  [--config FILE] [--sub S] [--claims JSON] [--expires-in 1h] [--authorizer NAME]
  gatehouse token check [--config FILE] --token T [--route "METHOD PATH"]`;

/** Dispatches `gatehouse <command>`; returns the process exit code. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await runStart(rest, io);
      case 'validate':
        return await runValidate(rest, io);
      case 'schema':
        return runSchema(io);
      case 'routes':
        return await runRoutes(rest, io);
      case 'token':
        return await runToken(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.stderr(`unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigInvalidError) {
      for (const problem of error.problems) io.stderr(formatProblem(problem));
      return 1;
    }
    // parseArgs and file errors: a one-line message, not a stack trace.
    io.stderr(`gatehouse ${command ?? ''}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

function runToken(argv: string[], io: CliIo): Promise<number> {
  const env = loadEnvironment(undefined);
  const platform = offlinePlatform(env);
  return runTokenCommand(argv, {
    stdout: io.stdout,
    stderr: io.stderr,
    platform,
    loadGateway: (path) => compileFromSource(resolveConfigSource(path, env), platform, isStrict(env)),
  });
}
