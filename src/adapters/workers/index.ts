// The config bundled at build time: `wrangler.toml` [alias] or scripts/build-worker.mjs --config
// point this module at a JSON file (or at bundled-config-none.ts, for none).
import bundledConfig from 'gatehouse:bundled-config';
import { createWorker } from './worker.js';

/** The Worker entry (`main` in wrangler.toml; scripts/build-worker.mjs bundles it to dist/worker). */
export default createWorker({ bundledConfig });
