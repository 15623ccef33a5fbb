import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Where the Node runtime reads its config (docs/CONFIG.md "Loading, once"): `--config FILE`, else
 * the `SAG_API_CONFIG_JSON` environment variable, else `./api-config.json`.
 */
export interface ConfigSource {
  /** For messages: the file path or "SAG_API_CONFIG_JSON". */
  readonly label: string;
  /** Relative `services[].entrypoint` paths resolve against this directory. */
  readonly baseDir: string;
  /** Set for file sources: the path to watch for hot reload. */
  readonly filePath: string | undefined;
  read(): Promise<string>;
}

export function resolveConfigSource(
  configFlag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): ConfigSource {
  const inline = env.SAG_API_CONFIG_JSON;
  if (configFlag === undefined && inline !== undefined && inline.trim() !== '') {
    return {
      label: 'SAG_API_CONFIG_JSON',
      baseDir: cwd,
      filePath: undefined,
      read: () => Promise.resolve(inline),
    };
  }
  const filePath = resolve(cwd, configFlag ?? 'api-config.json');
  const read = () =>
    readFile(filePath, 'utf8').catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new ConfigNotFoundError(missingConfigMessage(configFlag, filePath));
    });
  return { label: filePath, baseDir: dirname(filePath), filePath, read };
}

/** No config at the path the sources lead to; the message lists the sources tried. */
export class ConfigNotFoundError extends Error {
  override readonly name = 'ConfigNotFoundError';
}

/** Which sources were tried, in order, so a first run in the wrong directory explains itself. */
function missingConfigMessage(configFlag: string | undefined, filePath: string): string {
  if (configFlag !== undefined) return `config file not found: ${filePath} (from --config ${configFlag})`;
  return (
    `no config found; tried --config (not given), the SAG_API_CONFIG_JSON environment variable ` +
    `(not set), ./api-config.json (${filePath}: no such file). Pass --config FILE, e.g. ` +
    `--config examples/quickstart/api-config.json`
  );
}
