import { isStrictMode } from '../../config/strict-mode.js';
import { renderUndecoratedError } from '../../errors/render.js';
import type { ServiceModules } from '../../integrations/service.js';
import type { UpstreamClient } from '../../platform.js';
import { resolveWorkerConfigSource } from './config-source.js';
import { createConsoleLogger, parseLogLevel } from './logger.js';
import { WorkerRuntime } from './runtime.js';
import type { WorkerEnv, WorkerExecutionContext } from './types.js';
import { createFetchUpstreamClient } from './upstream-client.js';

export interface WorkerOptions {
  /** The config bundled at build time (JSON text, or the parsed object a JSON import gives). */
  readonly bundledConfig?: unknown;
  /**
   * The `services[].entrypoint` modules bundled at build time, keyed by the entrypoint as
   * written in the config (scripts/build-worker.mjs generates the map). A config from any source
   * can only use these; another entrypoint is refused as a config error naming it.
   */
  readonly serviceModules?: ServiceModules;
  /** Replaces the runtime's fetch for upstream calls (tests). */
  readonly upstream?: UpstreamClient;
}

export interface GatehouseWorker {
  fetch(request: Request, env: WorkerEnv, ctx: WorkerExecutionContext): Response | Promise<Response>;
}

/**
 * A module Worker serving the gateway. Everything is built on the first request of an isolate
 * (Workers forbid I/O and timers at module scope, and `env` only arrives with a request) and
 * kept for as long as the runtime passes the same `env` object, which it does for the life of
 * an isolate; a different `env` (a test harness, a new deployment) gets its own compiled config.
 */
export function createWorker(options: WorkerOptions = {}): GatehouseWorker {
  const bundledText = toText(options.bundledConfig);
  let runtime: WorkerRuntime | undefined;

  return {
    // Not `async`: a synchronous answer (a static route) is returned as it is (runtime.ts serve).
    fetch(request, env, ctx) {
      try {
        if (runtime === undefined || runtime.env !== env) runtime = createRuntime(env);
        const served = runtime.serve(request, ctx);
        return served instanceof Promise ? served.catch(adapterFailure) : served;
      } catch (error) {
        return adapterFailure(error);
      }
    },
  };

  function createRuntime(env: WorkerEnv): WorkerRuntime {
    return new WorkerRuntime({
      env,
      source: resolveWorkerConfigSource(env, bundledText),
      logger: createConsoleLogger(parseLogLevel(env.GATEHOUSE_LOG_LEVEL)),
      upstream: options.upstream ?? createFetchUpstreamClient(),
      strict: isStrictMode(env),
      serviceModules: options.serviceModules ?? {},
    });
  }
}

/** The gateway renders its own failures; this only catches a bug in the adapter itself. */
function adapterFailure(error: unknown): Response {
  console.error(JSON.stringify({ level: 'error', msg: 'worker failure', error: String(error) }));
  return renderUndecoratedError('ERR_INTERNAL');
}

function toText(config: unknown): string | undefined {
  if (config === undefined || config === null) return undefined;
  return typeof config === 'string' ? config : JSON.stringify(config);
}
