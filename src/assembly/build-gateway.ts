import { parseConfigText } from '../config/load.js';
import type { ServiceModules } from '../integrations/service.js';
import type { Platform } from '../platform.js';
import { compileGateway, type CompiledGateway, type CompileOptions } from './compile-gateway.js';
import type { GatewayConfig } from '../config/schema.js';
import { loadConfig } from './load-config.js';

/**
 * Config text → a compiled gateway: parse, load and check (every problem at once), then
 * compile. The `build` step of the config lifecycle on both runtimes and in every CLI command.
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
  const loaded = loadConfig(parseConfigText(text), { env: platform.env, strict: options.strict });
  const modules = options.serviceModules;
  const serviceModules = typeof modules === 'function' ? await modules(loaded.config) : modules;
  return compileGateway(loaded, platform, {
    ...(options.missingBindings === undefined ? {} : { missingBindings: options.missingBindings }),
    ...(serviceModules === undefined ? {} : { serviceModules }),
  });
}
