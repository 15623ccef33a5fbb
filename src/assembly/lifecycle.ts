import { ConfigInvalidError, configError, type ConfigProblem } from '../config/problems.js';

/**
 * The one config lifecycle (docs/CONFIG.md "Loading, once"), shared by the Node file watch, the
 * Workers var/KV refresh and every CLI command: read the source, skip when the text is unchanged,
 * load and compile, then swap — or keep the last good config and report why. Runtime-neutral:
 * the adapters only say how to read their source and how to build from its text.
 */
export interface SourceText {
  /** For logs and messages: which source the text came from (a file path, a var, a KV key). */
  readonly origin: string;
  /** Undefined when the source holds no config at all. */
  readonly text: string | undefined;
}

export interface ConfigLifecycleOptions<T> {
  /** Rejects only when the source could not be read (a missing file, a KV hiccup). */
  read(): Promise<SourceText>;
  /** Loads and compiles one text; throws ConfigInvalidError with every problem it found. */
  build(text: string, origin: string): Promise<T> | T;
  /** The problem reported when the source holds no config at all. */
  readonly missing: ConfigProblem;
}

export interface ActiveConfig<T> {
  readonly text: string;
  readonly origin: string;
  readonly value: T;
}

/** What one refresh did. `kept` leaves the previous config (if any) serving. */
export type RefreshOutcome<T> =
  | { readonly kind: 'swapped'; readonly active: ActiveConfig<T> }
  | { readonly kind: 'unchanged' }
  /** The source still holds the text refused last time: not compiled again. */
  | { readonly kind: 'still-invalid'; readonly problems: readonly ConfigProblem[] }
  | { readonly kind: 'invalid'; readonly origin: string; readonly problems: readonly ConfigProblem[] }
  | { readonly kind: 'unavailable'; readonly message: string };

/** Why nothing (new) is served: the source could not be read, or its text was refused. */
export type Failure =
  | { readonly kind: 'invalid'; readonly origin: string; readonly problems: readonly ConfigProblem[] }
  | { readonly kind: 'unavailable'; readonly message: string };

export class ConfigLifecycle<T> {
  private activeConfig: ActiveConfig<T> | undefined;
  /** The last refresh that could not be served, so the same bad text is not compiled again. */
  private lastFailure: Failure | undefined;
  private refusedText: string | undefined;

  constructor(private readonly options: ConfigLifecycleOptions<T>) {}

  get active(): ActiveConfig<T> | undefined {
    return this.activeConfig;
  }

  /** Why nothing is active (or why the newest source text is not), if it is so. */
  get failure(): Failure | undefined {
    return this.lastFailure;
  }

  /** Never rejects: every way a refresh can fail is an outcome. */
  async refresh(): Promise<RefreshOutcome<T>> {
    let sourced: SourceText;
    try {
      sourced = await this.options.read();
    } catch (error) {
      const outcome = { kind: 'unavailable', message: errorMessage(error) } as const;
      if (this.activeConfig === undefined) this.lastFailure = outcome;
      return outcome;
    }
    const { text, origin } = sourced;
    if (text !== undefined && text === this.activeConfig?.text) return { kind: 'unchanged' };
    if (this.lastFailure?.kind === 'invalid' && text === this.refusedText) {
      return { kind: 'still-invalid', problems: this.lastFailure.problems };
    }
    let value: T;
    try {
      if (text === undefined) throw new ConfigInvalidError([this.options.missing]);
      value = await this.options.build(text, origin);
    } catch (error) {
      const problems =
        error instanceof ConfigInvalidError
          ? error.problems
          : [configError('', `cannot compile: ${errorMessage(error)}`)];
      this.refusedText = text;
      this.lastFailure = { kind: 'invalid', origin, problems };
      return this.lastFailure;
    }
    this.activeConfig = { text, origin, value };
    this.lastFailure = undefined;
    this.refusedText = undefined;
    return { kind: 'swapped', active: this.activeConfig };
  }

  /**
   * For one-shot uses (CLI commands, the first load of `gatehouse start`): refresh once and
   * return the compiled value, or throw ConfigInvalidError with every problem.
   */
  async loadOnce(): Promise<T> {
    const outcome = await this.refresh();
    if (outcome.kind === 'invalid' || outcome.kind === 'still-invalid') {
      throw new ConfigInvalidError(outcome.problems);
    }
    if (outcome.kind === 'unavailable') throw new ConfigInvalidError([configError('', outcome.message)]);
    const active = this.activeConfig;
    if (active === undefined) throw new ConfigInvalidError([this.options.missing]);
    return active.value;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
