import type { HealthCheckConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { CompiledServer } from './targets.js';
import type { UpstreamBase } from './upstream-url.js';

/** docs/PROTOCOLS.md "Upstream pools": the health check's defaults. */
export const HEALTH_CHECK_DEFAULTS = {
  interval_ms: 5_000,
  timeout_ms: 2_000,
  healthy_threshold: 2,
  unhealthy_threshold: 2,
} as const;

/**
 * Active health checks of the pools of one compiled config: every `interval_ms`, a `GET` of
 * `path` on each URL's origin; `unhealthy_threshold` failed probes in a row (no answer within
 * `timeout_ms`, or a status outside `expect_status`, default 200–399) take the URL out of its
 * pool, `healthy_threshold` good ones put it back. Probes of one URL never overlap. Returns the
 * function that stops every probe (called when another config replaces this one).
 */
export function startHealthChecks(
  servers: Iterable<CompiledServer>,
  fetchImpl: typeof fetch,
  logger: Logger,
): () => void {
  const stops: (() => void)[] = [];
  for (const server of servers) {
    const { pool, healthCheck } = server;
    if (pool === undefined || healthCheck === undefined) continue;
    for (const base of pool.bases) {
      stops.push(
        checkLoop(healthCheck, base, fetchImpl, (healthy) => {
          pool.setHealthy(base, healthy);
          const fields = { server: server.alias, url: base.prefix };
          if (healthy) logger.info('upstream healthy', fields);
          else logger.warn('upstream unhealthy', fields);
        }),
      );
    }
  }
  return () => {
    for (const stop of stops) stop();
  };
}

function checkLoop(
  config: HealthCheckConfig,
  base: UpstreamBase,
  fetchImpl: typeof fetch,
  onChange: (healthy: boolean) => void,
): () => void {
  const interval = config.interval_ms ?? HEALTH_CHECK_DEFAULTS.interval_ms;
  const timeout = config.timeout_ms ?? HEALTH_CHECK_DEFAULTS.timeout_ms;
  const healthyThreshold = config.healthy_threshold ?? HEALTH_CHECK_DEFAULTS.healthy_threshold;
  const unhealthyThreshold = config.unhealthy_threshold ?? HEALTH_CHECK_DEFAULTS.unhealthy_threshold;
  const expected = config.expect_status;
  const url = new URL(config.path, base.prefix).href;
  let healthy = true;
  let streak = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const probe = async (): Promise<boolean> => {
    try {
      const response = await fetchImpl(url, { redirect: 'manual', signal: AbortSignal.timeout(timeout) });
      await response.body?.cancel();
      return expected ? expected.includes(response.status) : response.status >= 200 && response.status < 400;
    } catch {
      return false;
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void run(), interval);
    // Node: a pending probe must not keep the process alive.
    (timer as { unref?: () => void }).unref?.();
  };
  const run = async (): Promise<void> => {
    const ok = await probe();
    if (stopped) return;
    if (ok === healthy) streak = 0;
    else if (++streak >= (ok ? healthyThreshold : unhealthyThreshold)) {
      healthy = ok;
      streak = 0;
      onChange(ok);
    }
    schedule();
  };
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
