import { createGateway } from '../../gateway.js';
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
  /** `--tls-cert`/`--tls-key`: serve HTTPS, HTTP/2 by ALPN beside HTTP/1.1 (docs/PROTOCOLS.md). */
  readonly tls?: TlsFiles;
  /** `--h2c`: HTTP/2 with prior knowledge on the cleartext port. */
  readonly h2c?: boolean;
}

export interface RunningGatehouse {
  readonly url: string;
  readonly runtime: NodeGatewayRuntime;
  close(drainMs?: number): Promise<void>;
  /** Re-reads the TLS PEM files (start calls it with every config reload). */
  reloadTls(): Promise<void>;
}

export async function startGatehouse(options: StartOptions): Promise<RunningGatehouse> {
  const logger = options.logger ?? silentLogger;
  const loadedBindings = await loadBindingModules(options.bindingModules ?? [], options.cwd);
  const upstream = createUndiciUpstreamClient();
  // Known once the server listens; server URLs written as a path resolve against it.
  const self: { origin?: string } = {};
  const platform = createNodePlatform({
    env: options.env,
    logger,
    upstream,
    upgrade: createNodeUpgrader(),
    bindings: { ...options.bindings, ...loadedBindings },
    connectStores: true,
    selfOrigin: () => self.origin,
  });
  let runtime: NodeGatewayRuntime;
  try {
    runtime = await createNodeGatewayRuntime(options.source, platform, options.strict ?? false);
  } catch (error) {
    await upstream.close();
    await platform.rateLimitStores?.close();
    throw error;
  }
  void runtime.current().prefetch();
  const stopHealthChecks = superviseHealthChecks(runtime.current, platform);
  // Socket deadlines belong to the listening server, so they are read once at start (a reload
  // does not change them; docs/CONFIG.md).
  const limits = runtime.current().config.gateway;
  let server;
  try {
    server = await startNodeServer(createGateway(runtime.current, platform), {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 8787,
      ...(limits?.header_timeout_ms === undefined ? {} : { headersTimeoutMs: limits.header_timeout_ms }),
      ...(limits?.request_timeout_ms === undefined ? {} : { requestTimeoutMs: limits.request_timeout_ms }),
      tls: options.tls,
      h2c: options.h2c,
    });
  } catch (error) {
    stopHealthChecks();
    await upstream.close();
    throw error;
  }
  self.origin = reachableOrigin(server.url);
  return {
    url: server.url,
    runtime,
    reloadTls: server.reloadTls,
    close: async (drainMs) => {
      stopHealthChecks();
      await server.close(drainMs);
      await upstream.close();
      await platform.rateLimitStores?.close();
    },
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
