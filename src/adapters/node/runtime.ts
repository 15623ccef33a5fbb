import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ConfigLifecycle, type RefreshOutcome } from '../../assembly/lifecycle.js';
import { buildGateway } from '../../assembly/build-gateway.js';
import type { CompiledGateway, CompileOptions } from '../../assembly/compile-gateway.js';
import { configError, type ConfigProblem } from '../../config/problems.js';
import type { Platform } from '../../platform.js';
import { ConfigNotFoundError, type ConfigSource } from './config-source.js';
import { loadServiceModules } from './services.js';
import { whileCompiling } from './young-generation.js';

/**
 * Holds the compiled gateway for a Node process and swaps it atomically on reload: a request
 * reads `current()` once, so it sees the old or the new config, never a mix. An invalid new
 * config is reported and the old one keeps serving (docs/CONFIG.md "Loading, once"). The steps
 * are the shared ConfigLifecycle's (assembly/lifecycle.ts); this file only knows files.
 */
export interface NodeGatewayRuntime {
  current(): CompiledGateway;
  reload(): Promise<{ ok: true } | { ok: false; problems: readonly ConfigProblem[] }>;
  /** Reloads whenever the config file changes (debounced); returns a function that stops watching. */
  watch(onResult: (result: Awaited<ReturnType<NodeGatewayRuntime['reload']>>) => void): () => void;
}

/** Bindings the platform lacks: an error when serving, a warning for commands that only compile. */
type BindingPolicy = Pick<CompileOptions, 'missingBindings'>;

/**
 * The lifecycle of a Node config source: `services[]` modules are imported (relative to the
 * source's directory) before compiling. Bindings the platform lacks are only warnings by
 * default, for commands that compile without serving (validate, routes, token); the serving
 * runtime passes `missingBindings: 'error'` and prefetches key sets before a swap.
 */
export function nodeConfigLifecycle(
  source: ConfigSource,
  platform: Platform,
  strict: boolean,
  options: BindingPolicy & { readonly prefetchBeforeSwap?: () => boolean } = { missingBindings: 'warning' },
): ConfigLifecycle<CompiledGateway> {
  return new ConfigLifecycle<CompiledGateway>({
    read: async () => {
      try {
        return { origin: source.label, text: await source.read() };
      } catch (error) {
        // A missing file already says which sources were tried.
        if (error instanceof ConfigNotFoundError) throw error;
        throw new Error(`cannot read ${source.label}: ${(error as Error).message}`);
      }
    },
    build: async (text) => {
      const compiled = await whileCompiling(() =>
        buildGateway(text, platform, {
          strict,
          missingBindings: options.missingBindings ?? 'warning',
          serviceModules: (config) => loadServiceModules(config, source.baseDir),
        }),
      );
      if (options.prefetchBeforeSwap?.()) await compiled.prefetch();
      return compiled;
    },
    missing: configError('', `${source.label} holds no configuration`),
  });
}

/** Reads, loads and compiles the config once (validate, routes, token); throws ConfigInvalidError. */
export function compileFromSource(
  source: ConfigSource,
  platform: Platform,
  strict: boolean,
  options: BindingPolicy = { missingBindings: 'warning' },
): Promise<CompiledGateway> {
  return nodeConfigLifecycle(source, platform, strict, options).loadOnce();
}

export async function createNodeGatewayRuntime(
  source: ConfigSource,
  platform: Platform,
  strict: boolean,
): Promise<NodeGatewayRuntime> {
  // The first load does not wait for key sets (start prefetches in the background); later swaps
  // do, so the new config's first protected request is not slow.
  let started = false;
  const lifecycle = nodeConfigLifecycle(source, platform, strict, {
    missingBindings: 'error',
    prefetchBeforeSwap: () => started,
  });
  let compiled = await lifecycle.loadOnce();
  started = true;

  const reload: NodeGatewayRuntime['reload'] = async () => {
    const outcome: RefreshOutcome<CompiledGateway> = await lifecycle.refresh();
    if (outcome.kind === 'swapped') compiled = outcome.active.value;
    const result = reloadResult(outcome);
    platform.telemetry?.configReloads.publish(
      result.ok ? { outcome: 'ok' } : { outcome: 'refused', problems: result.problems },
    );
    return result;
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

function reloadResult(
  outcome: RefreshOutcome<CompiledGateway>,
): Awaited<ReturnType<NodeGatewayRuntime['reload']>> {
  if (outcome.kind === 'swapped' || outcome.kind === 'unchanged') return { ok: true };
  if (outcome.kind === 'invalid' || outcome.kind === 'still-invalid') {
    return { ok: false, problems: outcome.problems };
  }
  return { ok: false, problems: [configError('', outcome.message)] };
}
