#!/usr/bin/env node
/**
 * Bundles the Cloudflare Worker (src/adapters/workers/worker-entry.ts) into one ESM file with esbuild:
 * minified, ES2022, resolved with the `workerd`/`worker`/`browser` export conditions, no Node
 * built-ins (the bundle must run without `nodejs_compat`).
 *
 *   node scripts/build-worker.mjs [--config FILE | --config none] [--services-from FILE]…
 *                                 [--outfile FILE]
 *   node scripts/build-worker.mjs [--config FILE] [--services-from FILE]… --emit-service-map FILE
 *
 * `--config` is the api-config.json bundled as the last-resort config source (default
 * examples/quickstart/api-config.json); `none` bundles no config.
 *
 * Service modules (`services[].entrypoint`) are bundled too: a Worker cannot import a module by
 * a string at run time. The entrypoints of the bundled config, and of every `--services-from`
 * config (the one you put in the var or in KV), each resolved relative to its config file, become
 * the virtual module `gatehouse:service-modules`:
 *
 *   import * as m0 from "/abs/path/orders.mjs";
 *   export const serviceModules = { "./orders.mjs": m0 };
 *
 * keyed by the entrypoint exactly as written in the config, which is how the core looks them up.
 * With no services it is an empty map, so such a build is as small as before.
 * `--emit-service-map FILE` writes that module to FILE (imports relative to it) instead of
 * bundling, for wrangler.toml's `[alias] "gatehouse:service-modules"`.
 *
 * Prints the size, min and gzip.
 */
import { build } from 'esbuild';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
// Built by `npm run build` (npm install runs it): the one rule for extension-less entrypoints.
import { entrypointCandidates, entrypointNotFound } from '../dist/integrations/service-entrypoint.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = resolve(ROOT, 'src/adapters/workers/worker-entry.ts');
const NO_CONFIG = resolve(ROOT, 'src/adapters/workers/bundled-config-none.ts');
export const DEFAULT_CONFIG = resolve(ROOT, 'examples/quickstart/api-config.json');
export const DEFAULT_OUTFILE = resolve(ROOT, 'dist/worker/index.js');
const SERVICE_MAP = 'gatehouse:service-modules';

/**
 * Builds the Worker; resolves with the output path and its sizes. Refuses a bundle that imports
 * a Node built-in, naming the importer, so a dependency that drags one in is found at build time.
 */
export async function buildWorker({
  config = DEFAULT_CONFIG,
  outfile = DEFAULT_OUTFILE,
  servicesFrom = [],
  write = true,
  // bench/workers/profile.mjs keeps the names, so a CPU profile names the functions.
  minifyIdentifiers = true,
} = {}) {
  const configPath = config === 'none' ? NO_CONFIG : resolve(config);
  const sources = config === 'none' ? [...servicesFrom] : [configPath, ...servicesFrom];
  if (config !== 'none') await readConfigFile(configPath); // fail early on a broken file
  const services = await collectServices(sources);
  const result = await build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    format: 'esm',
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers,
    target: 'es2022',
    // 'browser' so packages' `browser` field maps apply (OpenTelemetry swaps its Node platform
    // files for browser ones there); Node built-ins stay refused by the plugin below.
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    write,
    plugins: [bundledConfigPlugin(configPath), serviceModulesPlugin(services), refuseNodeBuiltins()],
  });
  const code = write ? await readFile(outfile) : Buffer.from(result.outputFiles[0].contents);
  return {
    outfile,
    config: config === 'none' ? null : configPath,
    services: services.map((s) => s.entrypoint),
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    metafile: result.metafile,
    ...(write ? {} : { code: code.toString('utf8') }),
  };
}

/**
 * Writes the `gatehouse:service-modules` module for these config sources to `file`, importing
 * the entrypoints relative to it (for wrangler.toml `[alias]`, where Wrangler does the bundling).
 */
export async function writeServiceMap({ config = DEFAULT_CONFIG, servicesFrom = [], file }) {
  const sources = config === 'none' ? [...servicesFrom] : [resolve(config), ...servicesFrom];
  const services = await collectServices(sources);
  const target = resolve(file);
  const fromDir = dirname(target);
  const specifier = (path) => {
    const rel = relative(fromDir, path).split(sep).join('/');
    return rel.startsWith('.') ? rel : `./${rel}`;
  };
  await mkdir(fromDir, { recursive: true });
  await writeFile(
    target,
    `// Generated by scripts/build-worker.mjs --emit-service-map: service modules by entrypoint as written\n` +
      `// in the config. Regenerate when services[] changes.\n${serviceMapSource(services, specifier)}`,
  );
  return { file: target, services: services.map((s) => s.entrypoint) };
}

/**
 * `services[].entrypoint` of every source, resolved relative to its config file (a source is a
 * config file path, or `{config, baseDir}` for a config held in memory). The same entrypoint
 * text must mean the same file everywhere, since it is the key the runtime looks modules up by.
 */
async function collectServices(sources) {
  const byEntrypoint = new Map();
  for (const source of sources) {
    const { config, baseDir, label } =
      typeof source === 'string'
        ? { config: await readConfigFile(resolve(source)), baseDir: dirname(resolve(source)), label: source }
        : { config: source.config, baseDir: resolve(source.baseDir), label: 'a config object' };
    const services = Array.isArray(config?.services) ? config.services : [];
    for (const [index, service] of services.entries()) {
      const entrypoint = service?.entrypoint;
      if (typeof entrypoint !== 'string' || entrypoint === '') continue; // validation reports it
      const written = resolve(baseDir, entrypoint);
      const known = byEntrypoint.get(entrypoint);
      if (known && known.written !== written) {
        throw new Error(
          `service entrypoint "${entrypoint}" means ${known.written} in one config and ${written} in ${label}; the Worker looks modules up by the text as written, so it must name one file`,
        );
      }
      if (known) continue;
      const path = await resolveEntrypoint(written, `${label}: /services/${index}/entrypoint`);
      byEntrypoint.set(entrypoint, { entrypoint, written, path });
    }
  }
  return [...byEntrypoint.values()];
}

/** As on Node: the path as written, then `.js`, then `.mjs`; else an error naming every path tried. */
async function resolveEntrypoint(path, where) {
  const candidates = entrypointCandidates(path);
  for (const candidate of candidates) {
    const isFile = await stat(candidate).then(
      (info) => info.isFile(),
      () => false,
    );
    if (isFile) return candidate;
  }
  throw new Error(`${where}: ${entrypointNotFound(candidates)}`);
}

async function readConfigFile(path) {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read config ${path}: ${error.message}`, { cause: error });
  }
}

/** `import * as mN from "…"` per module, and the map keyed by entrypoint as written. */
function serviceMapSource(services, specifier) {
  const imports = services.map((s, i) => `import * as m${i} from ${JSON.stringify(specifier(s.path))};\n`);
  const entries = services.map((s, i) => `  ${JSON.stringify(s.entrypoint)}: m${i},\n`);
  return `${imports.join('')}export const serviceModules = {\n${entries.join('')}};\n`;
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

/** `gatehouse:service-modules` → the generated import map (absolute paths, so no resolveDir games). */
function serviceModulesPlugin(services) {
  return {
    name: 'gatehouse-service-modules',
    setup(b) {
      b.onResolve({ filter: /^gatehouse:service-modules$/ }, () => ({
        path: SERVICE_MAP,
        namespace: 'gatehouse-service-modules',
      }));
      b.onLoad({ filter: /.*/, namespace: 'gatehouse-service-modules' }, () => ({
        contents: serviceMapSource(services, (path) => path),
        loader: 'js',
        resolveDir: ROOT,
      }));
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
    options: {
      config: { type: 'string' },
      outfile: { type: 'string' },
      'services-from': { type: 'string', multiple: true },
      'emit-service-map': { type: 'string' },
    },
  });
  const common = {
    ...(values.config ? { config: values.config } : {}),
    servicesFrom: values['services-from'] ?? [],
  };
  const list = (services) => (services.length > 0 ? services.join(', ') : 'none');
  try {
    if (values['emit-service-map']) {
      const written = await writeServiceMap({ ...common, file: values['emit-service-map'] });
      console.log(`wrote ${relative(process.cwd(), written.file)} (services: ${list(written.services)})`);
    } else {
      const built = await buildWorker({
        ...common,
        ...(values.outfile ? { outfile: resolve(values.outfile) } : {}),
      });
      console.log(
        `built ${relative(process.cwd(), built.outfile)}: ${kb(built.bytes)} minified, ${kb(built.gzipBytes)} gzip` +
          ` (bundled config: ${built.config ? relative(process.cwd(), built.config) : 'none'};` +
          ` services: ${list(built.services)})`,
      );
    }
  } catch (error) {
    if (!error.errors) console.error(error.message);
    process.exit(1);
  }
}
