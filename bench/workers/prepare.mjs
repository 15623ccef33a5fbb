// The Workers mode of the bench: builds the Gatehouse Worker bundle from src/ when the bench
// starts (scripts/build-worker.mjs, as `npm run build:worker` does), records its size (P8), and
// starts Workers in raw workerd (./workerd.mjs): Gatehouse with a generated config in its
// SAG_API_CONFIG_JSON var, and the minimal hello and proxy Workers (the floor of P5).
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findWorkerd, startWorkerd, wranglerCompatibility } from './workerd.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/**
 * @param {string} dir  the bench's temp dir, where the generated configs are (every file workerd
 *   embeds must be under it)
 * @param {{ workerdArgs?: string[] }} [options]  more `workerd serve` arguments for every Worker
 * @returns {Promise<{
 *   workerd: { bin: string, version: string, runtimeDate: string },
 *   compatibility: { date: string, flags: string[] },
 *   bundle?: { bytes: number, gzipBytes: number, servedBytes: number, servedGzipBytes: number },
 *   buildError?: Error,
 *   startGatehouse(name: string, configFile: string): ReturnType<typeof startWorkerd>,
 *   startFloor(kind: 'hello' | 'proxy', upstreamUrl: string): ReturnType<typeof startWorkerd>,
 * }>}
 */
export async function prepareWorkers(dir, { workerdArgs = [] } = {}) {
  const workersDir = join(dir, 'workers');
  await mkdir(workersDir, { recursive: true });
  const workerd = findWorkerd();
  const compatibility = wranglerCompatibility();
  const floors = {};
  for (const kind of ['hello', 'proxy']) {
    floors[kind] = join(workersDir, `floor-${kind}.mjs`);
    await copyFile(here(`./floor-${kind}.mjs`), floors[kind]);
  }

  // The bundle served: no config bundled, the generated config comes in the SAG_API_CONFIG_JSON
  // var (one bundle for every route count). P8 is measured on the default build (`npm run
  // build:worker`: the quick-start config bundled), the one docs/WORKERS.md quotes. Gatehouse's
  // src/ may be mid-edit by others: a failed build fails the Gatehouse Worker variants only.
  const gatehouse = join(workersDir, 'gatehouse.js');
  let bundle;
  let buildError;
  try {
    const { buildWorker } = await import('../../scripts/build-worker.mjs');
    const served = await buildWorker({ config: 'none', outfile: gatehouse });
    const published = await buildWorker({ write: false });
    bundle = {
      bytes: published.bytes,
      gzipBytes: published.gzipBytes,
      servedBytes: served.bytes,
      servedGzipBytes: served.gzipBytes,
    };
  } catch (error) {
    buildError = new Error(`building the Worker bundle failed: ${firstLine(error)}`, { cause: error });
  }

  const start = (name, module, bindings) =>
    startWorkerd({ bin: workerd.bin, dir, name, module, bindings, compatibility, args: workerdArgs });
  return {
    workerd,
    compatibility,
    bundle,
    buildError,
    startGatehouse: async (name, configFile) => {
      if (buildError) throw buildError;
      return start(name, gatehouse, {
        SAG_API_CONFIG_JSON: { file: configFile },
        GATEHOUSE_LOG_LEVEL: 'silent', // as the Node variants' --log-level silent
      });
    },
    startFloor: (kind, upstreamUrl) =>
      start(`floor-${kind}`, floors[kind], kind === 'proxy' ? { UPSTREAM_URL: upstreamUrl } : {}),
  };
}

function firstLine(error) {
  const message = error?.errors?.[0]?.text ?? (error instanceof Error ? error.message : String(error));
  return message.split('\n')[0];
}
