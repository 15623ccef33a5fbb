import { inlineConfigSource, startGatehouse } from '../../src/adapters/node/start-gatehouse.js';

/**
 * A running gateway the conformance suite talks to over real sockets. The same cases run
 * against every runtime target; each target starts the gateway with a config object and the
 * environment its `$env` references read.
 */
export interface GatewayTarget {
  readonly runtime: 'node' | 'workerd';
  readonly url: string;
  close(): Promise<void>;
}

/**
 * What a config with `services` or `serviceBindings` needs besides itself. Modules are files,
 * so every runtime can supply them its own way (Node imports them; a Worker build bundles them).
 */
export interface TargetOptions {
  /** Directory `services[].entrypoint` paths are relative to (the config file's directory). */
  readonly baseDir?: string;
  /** Binding name → module path, as `gatehouse start --binding NAME=PATH`. */
  readonly bindings?: Readonly<Record<string, string>>;
}

export type TargetFactory = (
  config: object,
  env: Record<string, string>,
  options?: TargetOptions,
) => Promise<GatewayTarget>;

/** The Node runtime, assembled exactly as `gatehouse start` assembles it, on an ephemeral port. */
export const startNodeTarget: TargetFactory = async (config, env, options = {}) => {
  const running = await startGatehouse({
    source: inlineConfigSource(config, options.baseDir),
    env,
    port: 0,
    bindingModules: Object.entries(options.bindings ?? {}).map(([name, path]) => ({ name, path })),
  });
  return { runtime: 'node', url: running.url, close: () => running.close(1000) };
};
