import { ConfigInvalidError, formatProblem } from '../config/problems.js';
import { EnvFileError } from './env.js';
import { processIo, type CliIo } from './io.js';
import { KEYS_USAGE } from './keys.js';

// Each command's module is loaded when it runs: `gatehouse start --workers N`'s primary process
// loads no gateway code at all, and no command pays for another's (docs/ARCHITECTURE.md "Memory").

const USAGE = `usage:
  gatehouse start    [--config FILE] [--env-file FILE] [--port N] [--host H] [--log-level L] [--drain-ms MS] [--binding NAME=PATH]...
                     [--admin-port N [--admin-host H]] [--workers N|auto] [--tls-cert FILE --tls-key FILE] [--h2c]
  gatehouse validate [--config FILE] [--env-file FILE]
  gatehouse schema
  gatehouse routes   [--config FILE] [--env-file FILE] [METHOD PATH]
  gatehouse token mint  [--config FILE] [--env-file FILE] [--sub S] [--claims JSON] [--expires-in 1h] [--authorizer NAME]
  gatehouse token check [--config FILE] [--env-file FILE] --token T [--route "METHOD PATH"] [--authorizer NAME]
  ${KEYS_USAGE}

exit codes: 0 success; 1 invalid or missing config, the port in use; 2 usage (unknown command or
            flag, unreadable --env-file). token check: 1 rejected token, 2 usage or config.`;

/** Dispatches `gatehouse <command>`; returns the process exit code. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await (await import('./start.js')).runStart(rest, io);
      case 'validate':
        return await (await import('./validate.js')).runValidate(rest, io);
      case 'schema':
        return (await import('./schema.js')).runSchema(io);
      case 'routes':
        return await (await import('./routes.js')).runRoutes(rest, io);
      case 'token':
        return await runToken(rest, io);
      case 'keys':
        return (await import('./keys.js')).runKeys(rest, io);
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
    // parseArgs and --env-file errors: a one-line message, not a stack trace.
    io.stderr(`gatehouse ${command ?? ''}: ${error instanceof Error ? error.message : String(error)}`);
    if (!(error instanceof EnvFileError)) io.stderr(`run "gatehouse help" for the flags of each command`);
    return 2;
  }
}

async function runToken(argv: string[], io: CliIo): Promise<number> {
  const [{ resolveConfigSource }, { compileFromSource }, { isStrict, loadEnvironment }, { offlinePlatform }] =
    await Promise.all([
      import('../adapters/node/config-source.js'),
      import('../adapters/node/runtime.js'),
      import('./env.js'),
      import('./offline-platform.js'),
    ]);
  const { runTokenCommand } = await import('./token.js');
  const platform = offlinePlatform(process.env);
  return runTokenCommand(argv, {
    stdout: io.stdout,
    stderr: io.stderr,
    platform,
    loadGateway: (path, envFile) => {
      const env = loadEnvironment(envFile);
      return compileFromSource(resolveConfigSource(path, env), offlinePlatform(env), isStrict(env));
    },
  });
}
