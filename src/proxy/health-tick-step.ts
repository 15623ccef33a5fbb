import type { RouteConfig } from '../config/schema.js';
import type { Step } from '../context.js';
import type { IntegrationDeps } from '../integrations/definition.js';
import { createHealthCheckTicker } from './health-check.js';
import type { CompiledServer } from './targets.js';

type Tick = () => Promise<void> | undefined;

/** One ticker per compiled server: every route of a server drives the same checks. */
const TICKERS = new WeakMap<CompiledServer, Tick | null>();

/**
 * On a runtime where requests drive the health checks (`Platform.requestDrivenHealthChecks`,
 * Workers; docs/WORKERS.md "Health checks"), the first step of an `http_proxy` route whose
 * server is a pool with `health_check`: a round that is due starts in the background, kept alive
 * past the response (`waitUntil`), and the request goes on at once. Undefined elsewhere.
 */
export function createHealthTickStep(route: RouteConfig, deps: IntegrationDeps): Step | undefined {
  if (!deps.platform.requestDrivenHealthChecks || route.integration?.type !== 'http_proxy') return undefined;
  const server = deps.servers.get(route.integration.server ?? '');
  if (server === undefined) return undefined;
  let tick = TICKERS.get(server);
  if (tick === undefined) {
    tick =
      createHealthCheckTicker(server, deps.platform.fetch, deps.platform.logger, () => deps.platform.now()) ??
      null;
    TICKERS.set(server, tick);
  }
  if (tick === null) return undefined;
  const due = tick;
  return (ctx, next) => {
    const round = due();
    if (round !== undefined) deps.platform.waitUntil(round);
    return next(ctx);
  };
}
