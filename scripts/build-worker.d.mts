/** Types of scripts/build-worker.mjs for the TypeScript tests that call it. */
export interface BuildWorkerOptions {
  /** api-config.json to bundle, or 'none'; default examples/quickstart/api-config.json. */
  readonly config?: string;
  /** Default dist/worker/index.js. */
  readonly outfile?: string;
}

export interface BuiltWorker {
  readonly outfile: string;
  readonly config: string | null;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly metafile: unknown;
}

export const DEFAULT_CONFIG: string;
export const DEFAULT_OUTFILE: string;
export function buildWorker(options?: BuildWorkerOptions): Promise<BuiltWorker>;
