import { compileGateway, type CompiledGateway } from '../../config/compile.js';
import { loadConfig, parseConfigText } from '../../config/load.js';
import { ConfigInvalidError, configError, formatProblem, type ConfigProblem } from '../../config/problems.js';
import { renderError } from '../../errors/render.js';
import { createGateway, type Gateway } from '../../gateway.js';
import type { ServiceModules } from '../../integrations/service.js';
import type { Logger } from '../../observability/logger.js';
import type { Platform, UpstreamClient } from '../../platform.js';
import { clientInfoFor } from './client-info.js';
import { CONFIG_KV_BINDING, CONFIG_VAR, type SourcedText, type WorkerConfigSource } from './config-source.js';
import { createWorkersPlatform } from './platform.js';
import type { WorkerEnv, WorkerExecutionContext } from './types.js';

/**
 * One isolate's gateway for one `env`: the config is read, validated and compiled on the first
 * request and then served from memory (compat.md row 1). A KV source is re-read at most every
 * `refreshMs`, in the background (`waitUntil`) so no request waits for it, and recompiled only
 * when its text changed. A read that fails, or a new text that is invalid, keeps the last good
 * config (and is logged); with no good config at all every request is answered 500
 * ERR_CONFIG_INVALID, and the problems are logged with each one (config.md step 3).
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

interface Active {
  readonly text: string;
  readonly origin: string;
  readonly compiled: CompiledGateway;
}

/** The latest text that could not be served, remembered so the same text is not recompiled. */
type Failure =
  | {
      readonly kind: 'invalid';
      readonly text: string | undefined;
      readonly problems: readonly ConfigProblem[];
    }
  | { readonly kind: 'unavailable'; readonly message: string };

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
  private active: Active | undefined;
  private failure: Failure | undefined;
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
    this.platform = createWorkersPlatform({
      env: options.env,
      logger: options.logger,
      upstream: options.upstream,
      waitUntil: (promise) => this.waitUntil(promise),
      selfOrigin: () => this.origin,
    });
    this.gateway = createGateway(() => (this.active as Active).compiled, this.platform);
  }

  async serve(request: Request, ctx: WorkerExecutionContext): Promise<Response> {
    this.ctx = ctx;
    this.origin ??= new URL(request.url).origin;
    if (this.active === undefined) {
      if (this.failure === undefined || this.now() >= this.nextReadAt) await this.load();
    } else if (this.now() >= this.nextReadAt) {
      this.waitUntil(this.load());
    }
    if (this.active !== undefined) return this.gateway.fetch(request, clientInfoFor(request));
    return this.refuse(request);
  }

  /** Reads the source and, when its text changed, compiles it. Never rejects. */
  private async load(): Promise<void> {
    this.nextReadAt = this.now() + this.source.refreshMs;
    let sourced: SourcedText;
    try {
      sourced = await this.source.read();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error('config source unavailable', {
        error: message,
        serving: this.active?.origin ?? null,
      });
      if (this.active === undefined) {
        this.failure = { kind: 'unavailable', message };
        // Nothing to serve: the next request tries again rather than waiting for the interval.
        this.nextReadAt = 0;
      }
      return;
    }
    if (sourced.text !== undefined && sourced.text === this.active?.text) return;
    if (this.failure?.kind === 'invalid' && sourced.text === this.failure.text) return;
    this.apply(sourced);
  }

  private apply(sourced: SourcedText): void {
    let compiled: CompiledGateway;
    try {
      if (sourced.text === undefined) throw new ConfigInvalidError([NO_CONFIG]);
      const loaded = loadConfig(parseConfigText(sourced.text), { env: this.env, strict: this.strict });
      compiled = compileGateway(loaded, this.platform, { serviceModules: this.serviceModules });
    } catch (error) {
      const problems =
        error instanceof ConfigInvalidError
          ? error.problems
          : [configError('', `cannot compile: ${String(error)}`)];
      this.failure = { kind: 'invalid', text: sourced.text, problems };
      this.logger.error('config invalid', {
        source: sourced.origin,
        problems: problems.map(formatProblem),
        serving: this.active?.origin ?? null,
      });
      return;
    }
    this.active = { text: sourced.text, origin: sourced.origin, compiled };
    this.failure = undefined;
    this.logger.info('config loaded', {
      source: sourced.origin,
      routes: compiled.config.paths.length,
      warnings: compiled.warnings.map(formatProblem),
    });
    this.waitUntil(compiled.prefetch());
  }

  private refuse(request: Request): Response {
    const failure = this.failure;
    const headers = { 'x-powered-by': 'Gatehouse' };
    if (failure?.kind === 'invalid') {
      // Logged with every refused request: `wrangler tail` only shows the requests it saw.
      this.logger.error('config invalid', {
        method: request.method,
        problems: failure.problems.map(formatProblem),
      });
      return renderError('ERR_CONFIG_INVALID', headers);
    }
    this.logger.error('no config to serve', { method: request.method, error: failure?.message ?? null });
    return renderError('ERR_INTERNAL', headers);
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
