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

export type TargetFactory = (config: object, env: Record<string, string>) => Promise<GatewayTarget>;

/** The Node runtime, assembled exactly as `gatehouse start` assembles it, on an ephemeral port. */
export const startNodeTarget: TargetFactory = async (config, env) => {
  const running = await startGatehouse({ source: inlineConfigSource(config), env, port: 0 });
  return { runtime: 'node', url: running.url, close: () => running.close(1000) };
};
