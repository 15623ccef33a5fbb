import type { ServiceModules } from '../../integrations/service.js';

/**
 * Stands in for `gatehouse:service-modules` when nothing generated one (wrangler.toml `[alias]`
 * default): no service modules, so a config with `services` is refused naming the entrypoint.
 * scripts/build-worker.mjs generates the real map from the configs' `services[].entrypoint`.
 */
export const serviceModules: ServiceModules = {};
