import type { CompiledGateway } from '../../assembly/compile-gateway.js';
import type { Platform } from '../../platform.js';
import { startHealthChecks } from '../../proxy/health-check.js';

/** How often the supervisor notices that a reload swapped the config. */
const SWAP_CHECK_MS = 1_000;

/**
 * Runs the active health checks of whichever config is serving (docs/PROTOCOLS.md "Upstream
 * pools"): when a reload swaps the compiled gateway, the old config's probes stop and the new
 * one's start. Node only: a Worker has no life between requests to probe in, so there pools rely
 * on their breakers. Returns the function that stops everything.
 */
export function superviseHealthChecks(current: () => CompiledGateway, platform: Platform): () => void {
  let active = current();
  let stop = startHealthChecks(active.servers.values(), platform.fetch, platform.logger);
  const watcher = setInterval(() => {
    const now = current();
    if (now === active) return;
    stop();
    active = now;
    stop = startHealthChecks(active.servers.values(), platform.fetch, platform.logger);
  }, SWAP_CHECK_MS);
  watcher.unref();
  return () => {
    clearInterval(watcher);
    stop();
  };
}
