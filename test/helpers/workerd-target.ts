import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Log, LogLevel, Miniflare } from 'miniflare';
import type { TargetFactory } from './targets.js';

/**
 * The Worker in real workerd, through Miniflare (the engine under `wrangler dev`). It runs the
 * bundle scripts/build-worker.mjs builds (dist/worker/index.js, built once per test run by
 * test/workers/global-setup.ts), with the compatibility date of wrangler.toml, listening on
 * 127.0.0.1 on a free port. Workers' console output is captured, not printed, so tests can
 * assert what was logged.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const WORKER_BUNDLE = resolve(ROOT, 'dist/worker/index.js');

/** The compatibility date and flags wrangler.toml deploys with, so tests run what production runs. */
const WRANGLER_TOML = readFileSync(resolve(ROOT, 'wrangler.toml'), 'utf8');
export const COMPATIBILITY_DATE = /^compatibility_date\s*=\s*"([\d-]+)"/m.exec(WRANGLER_TOML)?.[1] as string;
export const COMPATIBILITY_FLAGS = [
  ...(/^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(WRANGLER_TOML)?.[1]?.matchAll(/"([^"]+)"/g) ?? []),
].map((match) => match[1] as string);

export interface WorkerdOptions {
  /** Vars and secrets (string bindings) of the Worker. */
  readonly bindings?: Record<string, string>;
  /** KV namespaces to bind, by binding name (e.g. CONFIG). */
  readonly kvNamespaces?: readonly string[];
  /** Another bundle than the default one (e.g. one built with `--config none`). */
  readonly scriptPath?: string;
}

export interface RunningWorkerd {
  readonly url: string;
  readonly miniflare: Miniflare;
  /** Every line the Worker wrote to stdout/stderr so far (console.log/warn/error). */
  readonly logs: string[];
  close(): Promise<void>;
}

export async function startWorkerd(options: WorkerdOptions = {}): Promise<RunningWorkerd> {
  const logs: string[] = [];
  const collect = (stream: Readable): void => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      logs.push(...lines.filter((line) => line !== ''));
    });
  };
  const scriptPath = options.scriptPath ?? WORKER_BUNDLE;
  const miniflare = new Miniflare({
    modules: true,
    scriptPath,
    // Module names are relative to this; the default (cwd) refuses bundles outside it.
    modulesRoot: dirname(scriptPath),
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: COMPATIBILITY_FLAGS,
    bindings: options.bindings ?? {},
    kvNamespaces: [...(options.kvNamespaces ?? [])],
    host: '127.0.0.1',
    port: 0,
    // A placeholder `request.cf`: Miniflare would otherwise fetch the real one from the internet.
    cf: false,
    log: new Log(LogLevel.WARN),
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      collect(stdout);
      collect(stderr);
    },
  });
  let url: URL;
  try {
    url = await miniflare.ready;
  } catch (error) {
    await miniflare.dispose().catch(() => undefined);
    throw new Error(`workerd did not start: ${String(error)}\n${logs.join('\n')}`, { cause: error });
  }
  return {
    url: url.origin,
    miniflare,
    logs,
    close: () => miniflare.dispose(),
  };
}

/** The conformance target: the config inline in SAG_API_CONFIG_JSON, `env` as vars. */
export const startWorkerdTarget: TargetFactory = async (config, env, options = {}) => {
  if (options.baseDir !== undefined || options.bindings !== undefined) {
    // A Worker gets modules at build time, not from paths at start-up; fail loudly, never ignore.
    throw new Error('the workerd target does not bundle service or binding modules yet');
  }
  const running = await startWorkerd({
    bindings: { SAG_API_CONFIG_JSON: JSON.stringify(config), GATEHOUSE_LOG_LEVEL: 'warn', ...env },
  });
  return { runtime: 'workerd', url: running.url, close: () => running.close() };
};
