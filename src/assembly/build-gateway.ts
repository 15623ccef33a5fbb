import { parseConfigText } from '../config/load.js';
import type { ServiceModules } from '../integrations/service.js';
import type { Platform } from '../platform.js';
import {
  checkTargets,
  compileGateway,
  type CompiledGateway,
  type CompileOptions,
} from './compile-gateway.js';
import type { GatewayConfig } from '../config/schema.js';
import { checkSource } from './load-config.js';
import { ConfigInvalidError, type ConfigProblem } from '../config/problems.js';

/**
 * Config text → a compiled gateway: parse, check (every problem at once, the runtime's included:
 * service modules and bindings), then compile what the checks built. The `build` step of the config lifecycle on both runtimes and in every CLI command.
 */
export interface BuildOptions extends Pick<CompileOptions, 'missingBindings'> {
  readonly strict: boolean;
  /**
   * The modules `services[].entrypoint` names: Node imports them once the config is known
   * (relative to the config file); a Worker has them bundled at build time.
   */
  readonly serviceModules?: ServiceModules | ((config: GatewayConfig) => Promise<ServiceModules>);
}

export async function buildGateway(
  text: string,
  platform: Platform,
  options: BuildOptions,
): Promise<CompiledGateway> {
  const checked = checkSource(parseConfigText(text), { env: platform.env, strict: options.strict });
  const { loaded } = checked;
  // What only the runtime knows (service modules, bindings) is reported in the same run as the
  // config's own problems, whenever the parts it reads passed the schema.
  const targetsReadable = ['/paths', '/services', '/serviceBindings'].every(checked.schemaValid);
  const moduleProblems: ConfigProblem[] = [];
  let serviceModules: ServiceModules | undefined;
  if (targetsReadable) {
    try {
      const modules = options.serviceModules;
      serviceModules = typeof modules === 'function' ? await modules(loaded.config) : modules;
    } catch (error) {
      if (!(error instanceof ConfigInvalidError)) throw error;
      moduleProblems.push(...error.problems);
    }
  }
  const compileOptions: CompileOptions = {
    ...(options.missingBindings === undefined ? {} : { missingBindings: options.missingBindings }),
    ...(serviceModules === undefined ? {} : { serviceModules }),
  };
  if (checked.errors.length > 0 || moduleProblems.length > 0) {
    const targets =
      targetsReadable && moduleProblems.length === 0
        ? checkTargets(loaded.config, platform, compileOptions).problems
        : [];
    const all = [...checked.errors, ...moduleProblems, ...targets, ...loaded.warnings];
    throw new ConfigInvalidError([
      ...all.filter((p) => p.severity === 'error'),
      ...all.filter((p) => p.severity === 'warning'),
    ]);
  }
  return compileGateway(loaded, platform, compileOptions);
}
