import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { compileGateway, type CompiledGateway, type CompileOptions } from '../../config/compile.js';
import { loadConfig, parseConfigText } from '../../config/load.js';
import { ConfigInvalidError, type ConfigProblem } from '../../config/problems.js';
import type { Platform } from '../../platform.js';
import type { ConfigSource } from './config-source.js';
import { loadServiceModules } from './services.js';

/**
 * Holds the compiled gateway for a Node process and swaps it atomically on reload: a request
 * reads `current()` once, so it sees the old or the new config, never a mix. An invalid new
 * config is reported and the old one keeps serving (overview.md, security.md).
 */
export interface NodeGatewayRuntime {
  current(): CompiledGateway;
  reload(): Promise<{ ok: true } | { ok: false; problems: readonly ConfigProblem[] }>;
  /** Reloads whenever the config file changes (debounced); returns a function that stops watching. */
  watch(onResult: (result: Awaited<ReturnType<NodeGatewayRuntime['reload']>>) => void): () => void;
}

/**
 * Reads, loads and compiles the config; `services[]` modules are imported (relative to the
 * source's directory) before compiling. Bindings the platform lacks are only warnings by
 * default, for commands that compile without serving (validate, routes); the serving runtime
 * passes `missingBindings: 'error'`.
 */
export async function compileFromSource(
  source: ConfigSource,
  platform: Platform,
  strict: boolean,
  options: Pick<CompileOptions, 'missingBindings'> = { missingBindings: 'warning' },
): Promise<CompiledGateway> {
  const text = await source.read().catch((error: unknown) => {
    if (error instanceof ConfigInvalidError) throw error;
    throw new ConfigInvalidError([
      { pointer: '', severity: 'error', message: `cannot read ${source.label}: ${(error as Error).message}` },
    ]);
  });
  const loaded = loadConfig(parseConfigText(text), { env: platform.env, strict });
  const serviceModules = await loadServiceModules(loaded.config, source.baseDir);
  return compileGateway(loaded, platform, { ...options, serviceModules });
}

export async function createNodeGatewayRuntime(
  source: ConfigSource,
  platform: Platform,
  strict: boolean,
): Promise<NodeGatewayRuntime> {
  const serving = { missingBindings: 'error' } as const;
  let compiled = await compileFromSource(source, platform, strict, serving);

  const reload: NodeGatewayRuntime['reload'] = async () => {
    try {
      const next = await compileFromSource(source, platform, strict, serving);
      await next.prefetch();
      compiled = next;
      return { ok: true };
    } catch (error) {
      if (error instanceof ConfigInvalidError) return { ok: false, problems: error.problems };
      return { ok: false, problems: [{ pointer: '', severity: 'error', message: String(error) }] };
    }
  };

  return {
    current: () => compiled,
    reload,
    watch(onResult) {
      const filePath = source.filePath;
      if (!filePath) return () => undefined;
      let timer: NodeJS.Timeout | undefined;
      // Watch the directory: editors replace files by rename, which ends a watch on the file itself.
      const watcher: FSWatcher = watch(dirname(filePath), (_event, name) => {
        if (name !== null && name !== basename(filePath)) return;
        clearTimeout(timer);
        timer = setTimeout(() => void reload().then(onResult), 100);
      });
      watcher.unref();
      return () => {
        clearTimeout(timer);
        watcher.close();
      };
    },
  };
}
