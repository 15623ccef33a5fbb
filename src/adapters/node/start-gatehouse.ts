import { createGateway } from '../../gateway.js';
import {
  createAdminMetrics,
  createNodeTelemetry,
  startAdminListener,
  type RunningAdminListener,
} from './admin/observability.js';
import type { PrometheusMetrics } from './admin/prometheus.js';
import { markAdminListenError } from './listen.js';
import { evaluateReadiness } from '../../observability/readiness.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { ConfigSource } from './config-source.js';
import { createNodePlatform } from './platform.js';
import { createNodeGatewayRuntime, type NodeGatewayRuntime } from './runtime.js';
import { superviseHealthChecks } from './health-checks.js';
import { startNodeServer } from './server.js';
import type { TlsFiles } from './tls-server.js';
import { loadBindingModules, type BindingSpec } from './services.js';
import { createUndiciUpstreamClient } from './upstream-client.js';
import { createNodeUpgrader } from './websocket-upstream.js';

/**
 * Everything `gatehouse start` does short of signals and printing: compile the config, build the
 * platform and gateway, listen. Tests call this directly, so they exercise the same assembly
 * as the command (docs/ARCHITECTURE.md "Real entry points").
 */
export interface StartOptions {
  readonly source: ConfigSource;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly host?: string;
  readonly port?: number;
  readonly logger?: Logger;
  readonly strict?: boolean;
  /** Binding targets by binding name, as given (embedding, tests). */
  readonly bindings?: Readonly<Record<string, unknown>>;
  /**
   * `--binding NAME=PATH` modules, loaded before the config is compiled (paths relative to
   * `cwd`); they join `bindings`. A module that cannot be loaded throws a BindingLoadError.
   */
  readonly bindingModules?: readonly BindingSpec[];
  /** What `bindingModules` paths are relative to (default: the process's working directory). */
  readonly cwd?: string;
  /**
   * The admin listener (`--admin-port`/`--admin-host`); overrides `gateway.admin` of the config.
   * Off when neither is set (docs/OBSERVABILITY.md).
   */
  readonly admin?: { readonly port: number; readonly host?: string | undefined };
  /**
   * Whether this process runs the admin listener at all (default true). Workers 2…N of
   * `--workers N` pass false: only worker 1 runs it (docs/BEHAVIOUR.md "Several processes").
   */
  readonly adminListener?: boolean;
  /**
   * This process is worker I of `--workers N`: with an admin listener configured, every worker
   * keeps metrics and answers the primary's report requests, and worker 1's admin endpoints
   * speak for all workers (docs/BEHAVIOUR.md "Several processes").
   */
  readonly clusterWorker?: number;
  /** `--tls-cert`/`--tls-key`: serve HTTPS, HTTP/2 by ALPN beside HTTP/1.1 (docs/PROTOCOLS.md). */
  readonly tls?: TlsFiles;
  /** `--h2c`: HTTP/2 with prior knowledge on the cleartext port. */
  readonly h2c?: boolean;
}

export interface RunningGatehouse {
  readonly url: string;
  readonly runtime: NodeGatewayRuntime;
  /** The admin listener's URL (`/metrics`, `/healthz`, `/readyz`), when one is configured. */
  readonly adminUrl: string | undefined;
  readonly admin: RunningAdminListener | undefined;
  close(drainMs?: number): Promise<void>;
  /** Re-reads the TLS PEM files (start calls it with every config reload). */
  reloadTls(): Promise<void>;
}

export async function startGatehouse(options: StartOptions): Promise<RunningGatehouse> {
  const logger = options.logger ?? silentLogger;
  const loadedBindings = await loadBindingModules(options.bindingModules ?? [], options.cwd);
  const upstream = createUndiciUpstreamClient();
  const telemetry = await createNodeTelemetry(options.env, logger);
  // Known once the server listens; server URLs written as a path resolve against it.
  const self: { origin?: string } = {};
  const platform = createNodePlatform({
    env: options.env,
    logger,
    upstream,
    upgrade: createNodeUpgrader(),
    bindings: { ...options.bindings, ...loadedBindings },
    telemetry,
    connectStores: true,
    selfOrigin: () => self.origin,
  });
  let runtime: NodeGatewayRuntime;
  try {
    runtime = await createNodeGatewayRuntime(options.source, platform, options.strict ?? false);
  } catch (error) {
    await upstream.close();
    await platform.rateLimitStores?.close();
    platform.closeSessionStores();
    await telemetry.tracing?.shutdown();
    throw error;
  }
  const gateway = createGateway(runtime.current, platform);
  const port = options.port ?? 8787;
  // Flags choose where the admin listener binds; the console and its token come from the config.
  const configAdmin = runtime.current().config.gateway?.admin;
  const adminConfig = options.admin ? { ...configAdmin, ...options.admin } : configAdmin;
  const runsAdminListener = adminConfig !== undefined && options.adminListener !== false;
  const inCluster = adminConfig !== undefined && options.clusterWorker !== undefined;
  let admin: RunningAdminListener | undefined;
  let clusterMetrics: PrometheusMetrics | undefined;
  let stopAnswering: (() => void) | undefined;
  const stopHealthChecks = superviseHealthChecks(runtime.current, platform);
  const stopAll = async (drainMs?: number) => {
    stopHealthChecks();
    stopAnswering?.();
    await admin?.close();
    clusterMetrics?.close();
    await server?.close(drainMs);
    await upstream.close();
    await platform.rateLimitStores?.close();
    platform.closeSessionStores();
    await telemetry.tracing?.shutdown();
  };
  let server: Awaited<ReturnType<typeof startNodeServer>> | undefined;
  try {
    // Metrics before the first key set fetch, so they count it.
    if (inCluster) {
      const metrics = await createAdminMetrics({ telemetry, gateway, current: runtime.current });
      clusterMetrics = metrics;
      stopAnswering = (await import('./admin/cluster-admin.js')).answerClusterReports({
        metrics: () => metrics.registry.getMetricsAsJSON(),
        readiness: () => evaluateReadiness(runtime.current(), platform.now),
      });
    }
    if (runsAdminListener) {
      admin = await startAdminListener({
        telemetry,
        gateway,
        current: runtime.current,
        now: platform.now,
        listen: { host: adminConfig.host ?? '127.0.0.1', port: adminConfig.port },
        publicPort: port,
        ...(clusterMetrics ? { metrics: clusterMetrics, clusterWide: true } : {}),
        ...(adminConfig.console === false
          ? {}
          : { console: { source: options.source.label, token: adminConfig.token } }),
      }).catch((error: unknown) => {
        // The CLI's message must name the admin listener's flags, not the public port's.
        throw markAdminListenError(error);
      });
    }
    void runtime.current().prefetch();
    // Socket deadlines belong to the listening server, so they are read once at start (a reload
    // does not change them; docs/CONFIG.md).
    const limits = runtime.current().config.gateway;
    server = await startNodeServer(gateway, {
      host: options.host ?? '127.0.0.1',
      port,
      ...(limits?.header_timeout_ms === undefined ? {} : { headersTimeoutMs: limits.header_timeout_ms }),
      ...(limits?.request_timeout_ms === undefined ? {} : { requestTimeoutMs: limits.request_timeout_ms }),
      tls: options.tls,
      h2c: options.h2c,
    });
  } catch (error) {
    await stopAll(0);
    throw error;
  }
  self.origin = reachableOrigin(server.url);
  return {
    url: server.url,
    runtime,
    admin,
    adminUrl: admin?.url,
    reloadTls: server.reloadTls,
    close: stopAll,
  };
}

/** The listening URL as a client on this machine reaches it: a wildcard address becomes loopback. */
function reachableOrigin(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

/** A config source for a config object held in memory (tests, embedding). */
export function inlineConfigSource(config: unknown, baseDir: string = process.cwd()): ConfigSource {
  const text = JSON.stringify(config);
  return { label: 'inline', baseDir, filePath: undefined, read: () => Promise.resolve(text) };
}
