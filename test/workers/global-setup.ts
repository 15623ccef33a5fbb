import { buildWorker } from '../../scripts/build-worker.mjs';

/**
 * Builds the Worker bundle once per test run, before any workerd test starts Miniflare with it:
 * the same script `npm run build:worker` runs, with the default bundled config.
 */
export default async function setup(): Promise<void> {
  await buildWorker();
}
