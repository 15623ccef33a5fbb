import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigInvalidError, configError, type ConfigProblem } from '../../config/problems.js';
import type { GatewayConfig } from '../../config/schema.js';
import type { ServiceModules } from '../../integrations/service.js';
import { entrypointCandidates, entrypointNotFound } from '../../integrations/service-entrypoint.js';

/**
 * Node's way of supplying what the core calls in-process: `services[].entrypoint` modules
 * (relative to the config file) and `--binding NAME=PATH` modules (relative to the working
 * directory). Both are loaded with a dynamic `import()` of a file URL before the config is
 * compiled, so compilation stays synchronous and a request never imports anything.
 *
 * Node caches modules by URL: a changed module file is picked up on the next process start,
 * not on a config reload.
 */

/** Imports every `services[]` entrypoint; problems name `/services/N/entrypoint`. */
export async function loadServiceModules(config: GatewayConfig, baseDir: string): Promise<ServiceModules> {
  const services = config.services ?? [];
  const results = await Promise.all(services.map((s) => importEntrypoint(resolve(baseDir, s.entrypoint))));
  const modules: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  results.forEach((loaded, index) => {
    const entrypoint = services[index]?.entrypoint ?? '';
    if ('module' in loaded) modules[entrypoint] = loaded.module;
    else problems.push(configError(`/services/${index}/entrypoint`, loaded.error));
  });
  if (problems.length > 0) throw new ConfigInvalidError(problems);
  return modules;
}

/** A `--binding` module that cannot serve as a binding; the message names it and its file. */
export class BindingLoadError extends Error {
  override readonly name = 'BindingLoadError';
}

export interface BindingSpec {
  readonly name: string;
  readonly path: string;
}

/** `NAME=PATH` (repeatable `--binding`); a message for anything else. */
export function parseBindingFlag(flag: string): BindingSpec | { error: string } {
  const at = flag.indexOf('=');
  const name = flag.slice(0, at);
  const path = flag.slice(at + 1);
  if (at <= 0 || path === '' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    return { error: `invalid --binding "${flag}" (expected NAME=PATH, NAME a variable-style name)` };
  }
  return { name, path };
}

/**
 * Loads binding modules: the target is the module's named function exports, or its default
 * export when it has none (an object with the functions, or a class instantiated once).
 * Throws a BindingLoadError whose message names the binding and the file.
 */
export async function loadBindingModules(
  specs: readonly BindingSpec[],
  cwd: string = process.cwd(),
): Promise<Record<string, object>> {
  const bindings: Record<string, object> = {};
  for (const spec of specs) {
    if (Object.hasOwn(bindings, spec.name))
      throw new BindingLoadError(`--binding ${spec.name} is given twice`);
    const loaded = await importFile(resolve(cwd, spec.path));
    if ('error' in loaded) throw new BindingLoadError(`--binding ${spec.name}: ${loaded.error}`);
    const target = bindingTargetOf(loaded.module);
    if (!target) {
      throw new BindingLoadError(
        `--binding ${spec.name}: ${spec.path} exports no functions (export named functions, or a default object or class with them)`,
      );
    }
    bindings[spec.name] = target;
  }
  return bindings;
}

function bindingTargetOf(namespace: Record<string, unknown>): object | undefined {
  const named = Object.keys(namespace).filter((k) => k !== 'default' && typeof namespace[k] === 'function');
  if (named.length > 0) return namespace;
  const exported = namespace.default;
  if (
    typeof exported === 'function' &&
    typeof exported.prototype === 'object' &&
    exported.prototype !== null
  ) {
    const methods = Object.getOwnPropertyNames(exported.prototype).filter((k) => k !== 'constructor');
    if (methods.length > 0) return new (exported as new () => object)();
  }
  if (typeof exported === 'object' && exported !== null) return exported;
  return undefined;
}

/** `path` is absolute. */
/** The entrypoint as written, else with `.js`, else with `.mjs` (integrations/service-entrypoint.ts). */
async function importEntrypoint(
  path: string,
): Promise<{ module: Record<string, unknown> } | { error: string }> {
  const candidates = entrypointCandidates(path);
  for (const candidate of candidates) {
    if (await isFile(candidate)) return importFile(candidate);
  }
  return { error: entrypointNotFound(candidates) };
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

async function importFile(path: string): Promise<{ module: Record<string, unknown> } | { error: string }> {
  if (!(await isFile(path))) return { error: `module file not found: ${path}` };
  try {
    return { module: (await import(pathToFileURL(path).href)) as Record<string, unknown> };
  } catch (error) {
    return { error: `cannot load ${path}: ${error instanceof Error ? error.message : String(error)}` };
  }
}
