#!/usr/bin/env node
/**
 * Bundles the Cloudflare Worker (src/adapters/workers/index.ts) into one ESM file with esbuild:
 * minified, ES2022, resolved with the `workerd`/`worker`/`browser` export conditions, no Node
 * built-ins (the bundle must run without `nodejs_compat`).
 *
 *   node scripts/build-worker.mjs [--config FILE | --config none] [--outfile FILE]
 *
 * `--config` is the api-config.json bundled as the last-resort config source (default
 * examples/quickstart/api-config.json); `none` bundles no config. Prints the size, min and gzip.
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = resolve(ROOT, 'src/adapters/workers/index.ts');
const NO_CONFIG = resolve(ROOT, 'src/adapters/workers/bundled-config-none.ts');
export const DEFAULT_CONFIG = resolve(ROOT, 'examples/quickstart/api-config.json');
export const DEFAULT_OUTFILE = resolve(ROOT, 'dist/worker/index.js');

/**
 * Builds the Worker; resolves with the output path and its sizes. Refuses a bundle that imports
 * a Node built-in, naming the importer, so a dependency that drags one in is found at build time.
 */
export async function buildWorker({ config = DEFAULT_CONFIG, outfile = DEFAULT_OUTFILE } = {}) {
  const configPath = config === 'none' ? NO_CONFIG : resolve(config);
  if (config !== 'none') JSON.parse(await readFile(configPath, 'utf8')); // fail early on a broken file
  const result = await build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    format: 'esm',
    minify: true,
    target: 'es2022',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [bundledConfigPlugin(configPath), refuseNodeBuiltins()],
  });
  const code = await readFile(outfile);
  return {
    outfile,
    config: config === 'none' ? null : configPath,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    metafile: result.metafile,
  };
}

/** `gatehouse:bundled-config` → the chosen JSON file (wrangler.toml does the same with [alias]). */
function bundledConfigPlugin(configPath) {
  return {
    name: 'gatehouse-bundled-config',
    setup(b) {
      b.onResolve({ filter: /^gatehouse:bundled-config$/ }, () => ({ path: configPath }));
    },
  };
}

function refuseNodeBuiltins() {
  return {
    name: 'refuse-node-builtins',
    setup(b) {
      b.onResolve(
        {
          filter:
            /^node:|^(fs|path|os|net|tls|http|https|stream|events|crypto|zlib|util|buffer|child_process|worker_threads)$/,
        },
        (args) => ({
          errors: [
            {
              text: `the Worker must not import the Node built-in "${args.path}" (imported by ${relative(ROOT, args.importer)}); it would need nodejs_compat`,
            },
          ],
        }),
      );
    },
  };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, outfile: { type: 'string' } },
  });
  try {
    const built = await buildWorker({
      ...(values.config ? { config: values.config } : {}),
      ...(values.outfile ? { outfile: resolve(values.outfile) } : {}),
    });
    console.log(
      `built ${relative(process.cwd(), built.outfile)}: ${kb(built.bytes)} minified, ${kb(built.gzipBytes)} gzip` +
        ` (bundled config: ${built.config ? relative(process.cwd(), built.config) : 'none'})`,
    );
  } catch (error) {
    if (!error.errors) console.error(error.message);
    process.exit(1);
  }
}
