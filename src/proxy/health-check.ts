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
          reportChange(logger, server.alias, base, healthy);
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
  const probe = urlProbe(config, base, fetchImpl, onChange);
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async (): Promise<void> => {
    await probe();
    if (stopped) return;
    timer = setTimeout(() => void run(), interval);
    // Node: a pending probe must not keep the process alive.
    (timer as { unref?: () => void }).unref?.();
  };
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * One URL's probe and verdict: each call sends one `GET` of `path` and counts it towards the
 * thresholds; `onChange` hears when the URL turns unhealthy or healthy again.
 */
function urlProbe(
  config: HealthCheckConfig,
  base: UpstreamBase,
  fetchImpl: typeof fetch,
  onChange: (healthy: boolean) => void,
): () => Promise<void> {
  const timeout = config.timeout_ms ?? HEALTH_CHECK_DEFAULTS.timeout_ms;
  const healthyThreshold = config.healthy_threshold ?? HEALTH_CHECK_DEFAULTS.healthy_threshold;
  const unhealthyThreshold = config.unhealthy_threshold ?? HEALTH_CHECK_DEFAULTS.unhealthy_threshold;
  const expected = config.expect_status;
  const url = new URL(config.path, base.prefix).href;
  let healthy = true;
  let streak = 0;

  const probe = async (): Promise<boolean> => {
    try {
      const response = await fetchImpl(url, { redirect: 'manual', signal: AbortSignal.timeout(timeout) });
      await response.body?.cancel();
      return expected ? expected.includes(response.status) : response.status >= 200 && response.status < 400;
    } catch {
      return false;
    }
  };
  return async () => {
    const ok = await probe();
    if (ok === healthy) streak = 0;
    else if (++streak >= (ok ? healthyThreshold : unhealthyThreshold)) {
      healthy = ok;
      streak = 0;
      onChange(ok);
    }
  };
}

/**
 * Health checks where nothing runs between requests (Workers, docs/WORKERS.md "Health checks"):
 * the requests through the server drive them. The returned `tick` starts a round (one probe of
 * each URL, in parallel) when `interval_ms` has passed since the last round began and none is
 * running, and returns it for the caller to keep alive (`waitUntil`); otherwise it returns
 * undefined at the cost of one clock read. The verdicts live in the isolate, with its pool.
 * Undefined for a server without a pool or without `health_check`.
 */
export function createHealthCheckTicker(
  server: CompiledServer,
  fetchImpl: typeof fetch,
  logger: Logger,
  now: () => number,
): (() => Promise<void> | undefined) | undefined {
  const { pool, healthCheck } = server;
  if (pool === undefined || healthCheck === undefined) return undefined;
  const interval = healthCheck.interval_ms ?? HEALTH_CHECK_DEFAULTS.interval_ms;
  const probes = pool.bases.map((base) =>
    urlProbe(healthCheck, base, fetchImpl, (healthy) => {
      pool.setHealthy(base, healthy);
      reportChange(logger, server.alias, base, healthy);
    }),
  );
  let lastRound = -Infinity;
  let running = false;
  return () => {
    const time = now();
    if (running || time - lastRound < interval) return undefined;
    lastRound = time;
    running = true;
    return Promise.all(probes.map((probe) => probe())).then(
      () => void (running = false),
      () => void (running = false),
    );
  };
}

function reportChange(logger: Logger, alias: string, base: UpstreamBase, healthy: boolean): void {
  const fields = { server: alias, url: base.prefix };
  if (healthy) logger.info('upstream healthy', fields);
  else logger.warn('upstream unhealthy', fields);
}
