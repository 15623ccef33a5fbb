// Resolved at bundle time (`wrangler.toml` [alias], scripts/build-worker.mjs): the config bundled
// as the last-resort source (a JSON file, or bundled-config-none.ts for none), and the service
// modules of `services[].entrypoint` (a generated import map, or service-modules-none.ts). A
// Worker never imports a module by a runtime string.
import bundledConfig from 'gatehouse:bundled-config';
import { serviceModules } from 'gatehouse:service-modules';
import { createWorker } from './worker.js';

/** The Durable Object of the `durable_object` rate-limit store (wrangler.toml binds it). */
export { GatehouseRateLimiter } from './rate-limiter-object.js';

/** The Worker entry (`main` in wrangler.toml; scripts/build-worker.mjs bundles it to dist/worker). */
export default createWorker({ bundledConfig, serviceModules });
