import type { CompiledGateway } from '../assembly/compile-gateway.js';
import type { ConfigProblem } from '../config/problems.js';
import type { ConfigReloadEvent } from '../observability/telemetry.js';

/**
 * The console's "Config" view (docs/CONSOLE.md): which config is served (source, content hash,
 * when it was loaded), its warnings, and the last reload attempt — for a refused reload, its
 * problems, while the previous config keeps serving.
 */
export interface ConfigStatus {
  readonly source: string;
  readonly hash: string;
  /** Epoch milliseconds when the served config was compiled and swapped in. */
  readonly loadedAt: number;
  readonly routes: number;
  readonly title: string | undefined;
  readonly warnings: readonly ConfigProblem[];
  readonly lastReload:
    | { readonly at: number; readonly outcome: 'ok' | 'refused'; readonly problems: readonly ConfigProblem[] }
    | undefined;
}

export interface ConfigStatusOptions {
  readonly source: string;
  readonly current: () => CompiledGateway;
  /** The config's content hash, as `gatehouse_config_info{hash}` labels it. */
  readonly hash: (compiled: CompiledGateway) => string;
  readonly now: () => number;
}

export class ConfigStatusTracker {
  readonly #options: ConfigStatusOptions;
  readonly #loadedAt = new WeakMap<CompiledGateway, number>();
  #lastReload: ConfigStatus['lastReload'];

  constructor(options: ConfigStatusOptions) {
    this.#options = options;
    this.#loadedAt.set(options.current(), options.now());
  }

  /** Feed with the telemetry's `configReloads` events. */
  onReload(event: ConfigReloadEvent): void {
    const at = this.#options.now();
    this.#lastReload = { at, outcome: event.outcome, problems: event.problems ?? [] };
    // An accepted reload of unchanged content keeps serving the same compiled config: its load
    // time stays the first one.
    const current = this.#options.current();
    if (event.outcome === 'ok' && !this.#loadedAt.has(current)) this.#loadedAt.set(current, at);
  }

  status(): ConfigStatus {
    const compiled = this.#options.current();
    let loadedAt = this.#loadedAt.get(compiled);
    if (loadedAt === undefined) {
      loadedAt = this.#options.now();
      this.#loadedAt.set(compiled, loadedAt);
    }
    return {
      source: this.#options.source,
      hash: this.#options.hash(compiled),
      loadedAt,
      routes: compiled.config.paths.length,
      title: compiled.config.title,
      warnings: compiled.warnings,
      lastReload: this.#lastReload,
    };
  }
}
