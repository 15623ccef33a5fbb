import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { startNodeTarget, type GatewayTarget } from './targets.js';

/** What a raw-socket test needs: a Node gateway proxying `/up/{.+}` to a recording upstream. */
export interface ProxiedNodeGateway {
  readonly upstream: RecordingUpstream;
  readonly target: GatewayTarget;
  /** `host:port` of the gateway, for the Host header of hand-written requests. */
  readonly host: string;
}

/**
 * Registers the suite's hooks: start both servers before the tests, forget the upstream's
 * requests before each, stop both after. `extraConfig` is merged into the config (e.g. `cors`).
 */
export function useProxiedNodeGateway(extraConfig: Record<string, unknown> = {}): ProxiedNodeGateway {
  const state = {} as { upstream: RecordingUpstream; target: GatewayTarget; host: string };
  beforeAll(async () => {
    state.upstream = await startRecordingUpstream();
    state.target = await startNodeTarget(
      {
        ...extraConfig,
        servers: [{ alias: 'up', url: state.upstream.url }],
        paths: [{ method: 'ANY', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } }],
      },
      {},
    );
    state.host = new URL(state.target.url).host;
  });
  afterAll(async () => {
    await state.target?.close();
    await state.upstream?.close();
  });
  beforeEach(() => state.upstream.reset());
  return state;
}
