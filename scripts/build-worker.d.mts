/** Types of scripts/build-worker.mjs for the TypeScript tests that call it. */

/**
 * Where `services[].entrypoint` come from: a config file (entrypoints relative to it), or a
 * config held in memory with the directory its entrypoints are relative to.
 */
export type ServiceSource = string | { readonly config: object; readonly baseDir: string };

export interface BuildWorkerOptions {
  /** api-config.json to bundle, or 'none'; default examples/quickstart/api-config.json. */
  readonly config?: string;
  /** Default dist/worker/index.js. */
  readonly outfile?: string;
  /**
   * More configs whose service modules to bundle (e.g. the one served from the var or KV),
   * besides those of the bundled config.
   */
  readonly servicesFrom?: readonly ServiceSource[];
  /** false: write nothing and return the bundle as `code`. Default true. */
  readonly write?: boolean;
}

export interface BuiltWorker {
  readonly outfile: string;
  readonly config: string | null;
  /** Entrypoints bundled, as written in the configs. */
  readonly services: readonly string[];
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly metafile: unknown;
  /** The bundle, when built with `write: false`. */
  readonly code?: string;
}

export interface WriteServiceMapOptions {
  readonly config?: string;
  readonly servicesFrom?: readonly ServiceSource[];
  /** The module to write; its imports are relative to it. */
  readonly file: string;
}

export const DEFAULT_CONFIG: string;
export const DEFAULT_OUTFILE: string;
export function buildWorker(options?: BuildWorkerOptions): Promise<BuiltWorker>;
export function writeServiceMap(
  options: WriteServiceMapOptions,
): Promise<{ readonly file: string; readonly services: readonly string[] }>;
