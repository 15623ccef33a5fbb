import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Log, LogLevel, Miniflare, type WorkerOptions } from 'miniflare';
import { buildWorker } from '../../scripts/build-worker.mjs';
import type { TargetFactory } from './targets.js';
import { ANALYTICS_ENGINE_RECORDER_SCRIPT } from '../fixtures/analytics-engine-recorder.js';

/**
 * The Worker in real workerd, through Miniflare (the engine under `wrangler dev`). It runs the
 * bundle scripts/build-worker.mjs builds (dist/worker/index.js, built once per test run by
 * test/workers/global-setup.ts, or a bundle of a test config's service modules), with the
 * compatibility date of wrangler.toml, listening on 127.0.0.1 on a free port. Service bindings
 * are real: each is another Worker in the same Miniflare, called over Workers RPC. Workers'
 * console output is captured, not printed, so tests can assert what was logged.
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
  /** The gateway bundle as text (a build with `write: false`); wins over scriptPath. */
  readonly script?: string;
  /**
   * Service bindings of the gateway: binding name → the script of the Worker bound under it
   * (ESM, default export a WorkerEntrypoint; see bindingWorkerScript).
   */
  readonly serviceWorkers?: Readonly<Record<string, string>>;
  /** Workers Analytics Engine dataset bindings: binding name → dataset (writes are dropped locally). */
  readonly analyticsEngineDatasets?: Readonly<Record<string, string>>;
  /**
   * Analytics Engine stand-ins that keep what is written: binding name → dataset. Each is a
   * workerd wrapped binding (as Miniflare's own dataset simulator is) whose `writeDataPoint`
   * prints the data point as one log line (test/fixtures/analytics-engine-recorder.ts).
   */
  readonly recordedAnalyticsEngineDatasets?: Readonly<Record<string, string>>;
  /** A fixed port (a login's redirect_uri must name it before start); default: any free one. */
  readonly port?: number;
  /** A directory the Cache API keeps its entries in, so a later workerd sees them (default: memory). */
  readonly cachePersist?: string;
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
  const serviceWorkers = Object.entries(options.serviceWorkers ?? {});
  const common = {
    modules: true,
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: COMPATIBILITY_FLAGS,
  };
  // The first Worker is the one Miniflare serves over HTTP.
  const gateway: WorkerOptions = {
    name: 'gatehouse',
    ...common,
    ...(options.script !== undefined
      ? { script: options.script }
      : // Module names are relative to this; the default (cwd) refuses bundles outside it.
        { scriptPath, modulesRoot: dirname(scriptPath) }),
    bindings: options.bindings ?? {},
    kvNamespaces: [...(options.kvNamespaces ?? [])],
    analyticsEngineDatasets: Object.fromEntries(
      Object.entries(options.analyticsEngineDatasets ?? {}).map(([binding, dataset]) => [
        binding,
        { dataset },
      ]),
    ),
    serviceBindings: Object.fromEntries(serviceWorkers.map(([binding]) => [binding, workerName(binding)])),
    wrappedBindings: Object.fromEntries(
      Object.entries(options.recordedAnalyticsEngineDatasets ?? {}).map(([binding, dataset]) => [
        binding,
        { scriptName: ANALYTICS_ENGINE_RECORDER, bindings: { dataset } },
      ]),
    ),
  };
  const recorders: WorkerOptions[] = options.recordedAnalyticsEngineDatasets
    ? [{ name: ANALYTICS_ENGINE_RECORDER, modules: true, script: ANALYTICS_ENGINE_RECORDER_SCRIPT }]
    : [];
  const miniflare = new Miniflare({
    workers: [
      gateway,
      ...serviceWorkers.map(([binding, script]): WorkerOptions => ({
        name: workerName(binding),
        ...common,
        script,
      })),
      ...recorders,
    ],
    host: '127.0.0.1',
    port: options.port ?? 0,
    // A placeholder `request.cf`: Miniflare would otherwise fetch the real one from the internet.
    cf: false,
    ...(options.cachePersist !== undefined ? { cachePersist: options.cachePersist } : {}),
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

const ANALYTICS_ENGINE_RECORDER = 'analytics-engine-recorder';

const workerName = (binding: string): string => `binding-${binding.toLowerCase()}`;

/**
 * The conformance and services target: the config inline in SAG_API_CONFIG_JSON, `env` as vars.
 * `services[].entrypoint` (relative to `baseDir`, else the working directory, as on Node) are
 * bundled into the gateway Worker, as scripts/build-worker.mjs does for a deployment; each of
 * `bindings` (name → module path, as `--binding`) becomes a Worker of its own, bound to the
 * gateway as a service binding.
 */
export const startWorkerdTarget: TargetFactory = async (config, env, options = {}) => {
  const baseDir = resolve(options.baseDir ?? process.cwd());
  const bindings = Object.entries(options.bindings ?? {});
  const [script, ...scripts] = await Promise.all([
    gatewayScript(config, baseDir),
    ...bindings.map(([, path]) => bindingWorkerScript(resolve(path))),
  ]);
  const running = await startWorkerd({
    bindings: { SAG_API_CONFIG_JSON: JSON.stringify(config), GATEHOUSE_LOG_LEVEL: 'warn', ...env },
    ...(script !== undefined ? { script } : {}),
    serviceWorkers: Object.fromEntries(bindings.map(([name], i) => [name, scripts[i] as string])),
  });
  return { runtime: 'workerd', url: running.url, close: () => running.close() };
};

/** Builds are cached per process: by services + baseDir for the gateway, by file for bindings. */
const gatewayBuilds = new Map<string, Promise<string>>();
const bindingBuilds = new Map<string, Promise<string>>();

/**
 * The gateway bundle with the config's service modules, or undefined when it has none (the
 * default bundle then serves). Built like a deployment (`--config none --services-from`), so a
 * test config can only use the entrypoints it declares, as a var/KV config in production.
 */
function gatewayScript(config: object, baseDir: string): Promise<string> | undefined {
  const services = (config as { services?: unknown }).services;
  if (!Array.isArray(services) || services.length === 0) return undefined;
  const key = JSON.stringify([baseDir, services]);
  let built = gatewayBuilds.get(key);
  if (built === undefined) {
    built = buildWorker({
      config: 'none',
      servicesFrom: [{ config, baseDir }],
      write: false,
      outfile: join(tmpdir(), 'gatehouse-workerd-test.js'),
    }).then((result) => result.code as string);
    gatewayBuilds.set(key, built);
  }
  return built;
}

const ENTRYPOINT_WRAPPER = resolve(ROOT, 'test/fixtures/services/as-worker-entrypoint.mjs');

/**
 * A binding module (`--binding NAME=PATH` on Node) as a Worker of its own: the module's functions
 * as RPC methods of a WorkerEntrypoint (test/fixtures/services/as-worker-entrypoint.mjs), bundled
 * with esbuild into one script.
 */
export function bindingWorkerScript(modulePath: string): Promise<string> {
  let built = bindingBuilds.get(modulePath);
  if (built === undefined) {
    built = build({
      entryPoints: [ENTRYPOINT_WRAPPER],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      conditions: ['workerd', 'worker', 'browser'],
      external: ['cloudflare:workers'],
      logLevel: 'warning',
      plugins: [
        {
          name: 'binding-module',
          setup(b) {
            b.onResolve({ filter: /^gatehouse-test:binding-module$/ }, () => ({ path: modulePath }));
          },
        },
      ],
    }).then((result) => (result.outputFiles[0] as { text: string }).text);
    bindingBuilds.set(modulePath, built);
  }
  return built;
}
