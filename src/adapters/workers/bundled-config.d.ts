/**
 * Resolved at bundle time (wrangler.toml `[alias]`, scripts/build-worker.mjs `--config`): the
 * parsed api-config.json to fall back on, or undefined when none was bundled.
 */
declare module 'gatehouse:bundled-config' {
  const config: unknown;
  export default config;
}
