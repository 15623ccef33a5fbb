/**
 * Resolved at bundle time (scripts/build-worker.mjs generates it; wrangler.toml `[alias]` points
 * at a generated or hand-written file): the `services[].entrypoint` modules bundled into the
 * Worker, as module namespaces keyed by the entrypoint exactly as written in the config.
 */
declare module 'gatehouse:service-modules' {
  export const serviceModules: Readonly<Record<string, unknown>>;
}
