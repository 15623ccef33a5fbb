import { ConfigLifecycle } from '../../assembly/lifecycle.js';
import { buildGateway } from '../../assembly/build-gateway.js';
import type { CompiledGateway } from '../../assembly/compile-gateway.js';
import { configError, formatProblem } from '../../config/problems.js';
import { renderUndecoratedError } from '../../errors/render.js';
import { createGateway, type Gateway } from '../../gateway.js';
import type { ServiceModules } from '../../integrations/service.js';
import type { Logger } from '../../observability/logger.js';
import type { Platform, UpstreamClient } from '../../platform.js';
import { clientInfoFor } from './client-info.js';
import { evaluateReadiness, readinessResponse } from '../../observability/readiness.js';
import { splitRequestUrl } from '../../url-parts.js';
import { CONFIG_KV_BINDING, CONFIG_VAR, type WorkerConfigSource } from './config-source.js';
import { createWorkersPlatform } from './platform.js';
import { createWorkerTelemetry } from './telemetry.js';
import type { WorkerEnv, WorkerExecutionContext } from './types.js';

/**
 * One isolate's gateway for one `env`: the config is read, validated and compiled on the first
 * request and then served from memory (docs/COMPAT.md row 1). A KV source is re-read at most every
 * `refreshMs`, in the background (`waitUntil`) so no request waits for it, and recompiled only
 * when its text changed. A read that fails, or a new text that is invalid, keeps the last good
 * config (and is logged); with no good config at all every request is answered 500
 * ERR_CONFIG_INVALID, and the problems are logged with each one (docs/CONFIG.md "Loading, once").
 */
export interface WorkerRuntimeOptions {
  readonly env: WorkerEnv;
  readonly source: WorkerConfigSource;
  readonly logger: Logger;
  readonly upstream: UpstreamClient;
  readonly strict: boolean;
  /**
   * The service modules bundled into the Worker (build-time import map). Bindings are the
   * Worker's own: `env[binding]`, a service binding whose RPC methods are the functions.
   */
  readonly serviceModules?: ServiceModules;
  readonly now?: () => number;
}

const NO_CONFIG = configError(
  '',
  `no configuration: set the ${CONFIG_VAR} var, put api-config.json in the KV namespace bound as ${CONFIG_KV_BINDING}, or bundle one at build time`,
);

export class WorkerRuntime {
  readonly env: WorkerEnv;
  private readonly source: WorkerConfigSource;
  private readonly logger: Logger;
  private readonly strict: boolean;
  private readonly serviceModules: ServiceModules;
  private readonly now: () => number;
  private readonly platform: Platform;
  private readonly gateway: Gateway;
  private readonly lifecycle: ConfigLifecycle<CompiledGateway>;
  private nextReadAt = 0;
  /** The ExecutionContext of the request being served; background work is handed to it. */
  private ctx: WorkerExecutionContext | undefined;
  /** The Worker's own origin, from the first request (server URLs written as a path use it). */
  private origin: string | undefined;

  constructor(options: WorkerRuntimeOptions) {
    this.env = options.env;
    this.source = options.source;
    this.logger = options.logger;
    this.strict = options.strict;
    this.serviceModules = options.serviceModules ?? {};
    this.now = options.now ?? Date.now;
    const waitUntil = (promise: Promise<unknown>): void => this.waitUntil(promise);
    this.platform = createWorkersPlatform({
      env: options.env,
      logger: options.logger,
      upstream: options.upstream,
      waitUntil,
      telemetry: createWorkerTelemetry(options.env, options.logger, waitUntil),
      selfOrigin: () => this.origin,
    });
    this.lifecycle = new ConfigLifecycle<CompiledGateway>({
      read: () => this.source.read(),
      build: (text) =>
        buildGateway(text, this.platform, { strict: this.strict, serviceModules: this.serviceModules }),
      missing: NO_CONFIG,
    });
    this.gateway = createGateway(() => this.lifecycle.active!.value, this.platform);
  }

  /**
   * A plain Response when nothing waits (a loaded config and a synchronous answer, such as a
   * static route), else a promise: workerd takes either, and a promise per request is measurable
   * on the static route (docs/ARCHITECTURE.md "Performance devices").
   */
  serve(request: Request, ctx: WorkerExecutionContext): Response | Promise<Response> {
    this.ctx = ctx;
    this.origin ??= new URL(request.url).origin;
    if (this.lifecycle.active === undefined) {
      if (this.lifecycle.failure === undefined || this.now() >= this.nextReadAt) {
        return this.load().then(() => this.answer(request));
      }
    } else if (this.nextReadAt !== Infinity && this.now() >= this.nextReadAt) {
      // A source that never refreshes (a var, a bundled config) costs no clock read per request.
      this.waitUntil(this.load());
    }
    return this.answer(request);
  }

  private answer(request: Request): Response | Promise<Response> {
    const active = this.lifecycle.active?.value;
    const healthPath = active?.config.gateway?.health_path;
    if (healthPath !== undefined && isHealthRequest(request, healthPath)) {
      return evaluateReadiness(active, this.now).then(readinessResponse);
    }
    if (active !== undefined) return this.gateway.fetch(request, clientInfoFor(request));
    return this.refuse(request);
  }

  /** One refresh of the shared lifecycle, logged. Never rejects. */
  private async load(): Promise<void> {
    this.nextReadAt = this.now() + this.source.refreshMs;
    const serving = this.lifecycle.active?.origin ?? null;
    const outcome = await this.lifecycle.refresh();
    switch (outcome.kind) {
      case 'unchanged':
      case 'still-invalid':
        return;
      case 'unavailable':
        this.logger.error('config source unavailable', { error: outcome.message, serving });
        // Nothing to serve: the next request tries again rather than waiting for the interval.
        if (this.lifecycle.active === undefined) this.nextReadAt = 0;
        return;
      case 'invalid':
        this.logger.error('config invalid', {
          source: outcome.origin,
          problems: outcome.problems.map(formatProblem),
          serving,
        });
        return;
      case 'swapped': {
        const compiled = outcome.active.value;
        this.logger.info('config loaded', {
          source: outcome.active.origin,
          routes: compiled.config.paths.length,
          warnings: compiled.warnings.map(formatProblem),
        });
        this.waitUntil(compiled.prefetch());
      }
    }
  }

  private refuse(request: Request): Response {
    const failure = this.lifecycle.failure;
    if (failure?.kind === 'invalid') {
      // Logged with every refused request: `wrangler tail` only shows the requests it saw.
      this.logger.error('config invalid', {
        method: request.method,
        problems: failure.problems.map(formatProblem),
      });
      return renderUndecoratedError('ERR_CONFIG_INVALID');
    }
    this.logger.error('no config to serve', { method: request.method, error: failure?.message ?? null });
    return renderUndecoratedError('ERR_INTERNAL');
  }

  private waitUntil(promise: Promise<unknown>): void {
    const settled = promise.catch((error: unknown) =>
      this.logger.warn('background task failed', { error: String(error) }),
    );
    try {
      this.ctx?.waitUntil(settled);
    } catch {
      // That request's context is gone; the promise still runs as long as the isolate does.
    }
  }
}

/** `gateway.health_path` (opt-in): a GET or HEAD of exactly that path answers readiness, not a route. */
function isHealthRequest(request: Request, healthPath: string): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  return splitRequestUrl(request.url).pathname === healthPath;
}
