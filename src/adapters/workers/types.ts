/**
 * The few Workers runtime types this adapter touches, declared here so the rest of the code
 * base type-checks without `@cloudflare/workers-types` (docs/ARCHITECTURE.md: only adapters/workers
 * knows Workers types). Shapes follow the Workers runtime API.
 */

/** The third argument of a module Worker's `fetch` handler. */
export interface WorkerExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException?(): void;
}

/** The part of a KV namespace binding the config source reads. */
export interface KvNamespaceLike {
  get(key: string, type: 'text'): Promise<string | null>;
}

/** A Worker's `env`: string vars and secrets, plus bindings (KV namespaces, services, …). */
export type WorkerEnv = Readonly<Record<string, unknown>>;

export function isKvNamespace(value: unknown): value is KvNamespaceLike {
  return (
    typeof value === 'object' && value !== null && typeof (value as { get?: unknown }).get === 'function'
  );
}
