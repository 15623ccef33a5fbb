import type { CompiledGateway } from '../../../assembly/compile-gateway.js';
import type { Gateway } from '../../../gateway.js';
import type { Logger } from '../../../observability/logger.js';
import { createTelemetry, type Telemetry } from '../../../observability/telemetry.js';
import type { OtlpPost } from '../../../observability/tracing/otlp-http.js';
import { tracingSettingsFromEnv } from '../../../observability/tracing/settings.js';
import { startAdminServer, type AdminListenOptions, type RunningAdmin } from './admin-server.js';
import { assertConsoleAccess } from './console/access.js';
import { mountConsole, type MountedConsole } from './console/mount-console.js';
import { AdminHandlers } from './handlers.js';
import { registerHealthHandlers } from './health.js';
import type { PrometheusMetrics } from './prometheus.js';

/**
 * The Node process's telemetry: tracing from the OTEL_* environment (timer-batched export),
 * and, when an admin listener is configured, Prometheus metrics and health on it. The event
 * buses always exist (an idle bus costs one check per request); metrics subscribe only when
 * they will be served.
 */
export async function createNodeTelemetry(
  env: Readonly<Record<string, unknown>>,
  logger: Logger,
): Promise<Telemetry> {
  const { settings, warnings } = tracingSettingsFromEnv(env);
  for (const warning of warnings) logger.warn('tracing setting ignored', { reason: warning });
  let lastFailureLog = 0;
  // Loaded only when tracing is on: a process that does not trace never loads the SDK.
  const transport = settings ? await postWithUndici() : undefined;
  const tracing = settings
    ? (await import('../../../observability/tracing/tracing.js')).createTracing({
        settings,
        post: (transport as NonNullable<typeof transport>).post,
        onShutdown: (transport as NonNullable<typeof transport>).close,
        mode: 'timer',
        onExportFailure: (reason, spans) => {
          // At most one line per 10 s: a collector that is down must not flood the log.
          const now = Date.now();
          if (now - lastFailureLog < 10_000) return;
          lastFailureLog = now;
          logger.warn('trace export failed; spans dropped', { reason, spans });
        },
      })
    : undefined;
  if (settings) {
    logger.info('tracing on', { endpoint: settings.url, sampler: settings.samplerName });
  }
  return createTelemetry(tracing, (error) =>
    logger.error('telemetry listener failed', { error: String(error) }),
  );
}

/** undici's `request` over its own connection pool: about half the CPU of `fetch` per batch on Node. */
async function postWithUndici(): Promise<{ post: OtlpPost; close: () => Promise<void> }> {
  const { Agent } = await import('undici');
  const agent = new Agent({ connections: 4 });
  const post: OtlpPost = async (url, headers, body, signal) => {
    const { origin, pathname, search } = new URL(url);
    const { statusCode, body: answer } = await agent.request({
      origin,
      path: `${pathname}${search}`,
      method: 'POST',
      headers: { ...headers },
      body,
      signal,
    });
    await answer.dump();
    return statusCode;
  };
  return { post, close: () => agent.close() };
}

export interface AdminSetup {
  readonly telemetry: Telemetry;
  readonly gateway: Gateway;
  readonly current: () => CompiledGateway;
  readonly now: () => number;
  readonly listen: AdminListenOptions;
  /** The public listener's port: the admin listener refuses to share it. */
  readonly publicPort: number;
  /** The web console (docs/CONSOLE.md); absent when `gateway.admin.console` is false. */
  readonly console?: { readonly source: string; readonly token: string | undefined };
  /**
   * Metrics created by the caller (a worker of `--workers N` creates them whether or not it runs
   * the listener, and closes them itself); created here when absent.
   */
  readonly metrics?: PrometheusMetrics;
  /**
   * Worker 1 of `--workers N`: `/metrics`, `/healthz` and `/readyz` speak for every worker,
   * gathered through the primary (cluster-admin.ts).
   */
  readonly clusterWide?: boolean;
}

export interface RunningAdminListener extends RunningAdmin {
  readonly handlers: AdminHandlers;
  readonly metrics: PrometheusMetrics;
}

/** Starts the admin listener with `/metrics`, `/healthz`, `/readyz` and the web console registered. */
export async function startAdminListener(setup: AdminSetup): Promise<RunningAdminListener> {
  if (setup.listen.port !== 0 && setup.listen.port === setup.publicPort) {
    throw new Error(
      `the admin port ${setup.listen.port} is the public port; give the admin listener its own`,
    );
  }
  if (setup.console) assertConsoleAccess(setup.listen.host, setup.console.token);
  const ownsMetrics = setup.metrics === undefined;
  const metrics = setup.metrics ?? (await createAdminMetrics(setup));
  const handlers = new AdminHandlers();
  if (setup.clusterWide) {
    (await import('./cluster-admin.js')).registerClusterHandlers(handlers);
  } else {
    handlers.register('GET', '/metrics', () => metrics.handle());
    registerHealthHandlers(handlers, setup.current, setup.now);
  }
  const webConsole: MountedConsole | undefined = setup.console
    ? await mountConsole(handlers, { ...setup.console, ...setup })
    : undefined;
  let server: RunningAdmin;
  try {
    server = await startAdminServer(handlers, setup.listen);
  } catch (error) {
    webConsole?.close();
    if (ownsMetrics) metrics.close();
    throw error;
  }
  return {
    url: server.url,
    handlers,
    metrics,
    close: async () => {
      webConsole?.close();
      if (ownsMetrics) metrics.close();
      await server.close();
    },
  };
}

/** The Prometheus metrics fed by this process's telemetry; prom-client loads only here. */
export async function createAdminMetrics(
  setup: Pick<AdminSetup, 'telemetry' | 'gateway' | 'current'>,
): Promise<PrometheusMetrics> {
  const { createPrometheusMetrics } = await import('./prometheus.js');
  return createPrometheusMetrics({
    telemetry: setup.telemetry,
    inFlight: () => setup.gateway.inFlight ?? 0,
    current: setup.current,
  });
}
