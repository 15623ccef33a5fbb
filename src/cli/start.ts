import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import {
  EXIT_GRACE_MS,
  parseWorkerCount,
  runClusterPrimary,
  WORKER_INDEX_ENV,
  type WorkerListening,
} from '../adapters/node/cluster-primary.js';
import { resolveConfigSource } from '../adapters/node/config-source.js';
import { ADMIN_LISTENER } from '../adapters/node/listen.js';
import { BindingLoadError, parseBindingFlag, type BindingSpec } from '../adapters/node/services.js';
import { keepWasmAtBaseline } from '../adapters/node/wasm-baseline.js';
import { boundOldGenerationGrowth } from '../adapters/node/old-generation.js';
import { capYoungGeneration } from '../adapters/node/young-generation.js';
import { ConfigInvalidError, formatProblem } from '../config/problems.js';
import { createJsonLogger, type LogLevel } from '../observability/logger.js';
import { tracingSettingsFromEnv } from '../observability/tracing/settings.js';
import { isStrict, loadEnvironment } from './env.js';
import type { CliIo } from './io.js';

const LOG_LEVELS = new Set<LogLevel>(['debug', 'info', 'warn', 'error', 'silent']);

/** `--drain-ms` at most a day: any longer and a drain is not a drain. */
const MAX_DRAIN_MS = 86_400_000;

/**
 * EADDRINUSE / EACCES / EADDRNOTAVAIL from listen(), as a sentence that names the listener, its
 * port or host, and the flag that changes it.
 */
function describeListenError(error: unknown, host: string, port: number): string | undefined {
  const failure = error as
    (NodeJS.ErrnoException & { port?: number; address?: string; hostname?: string }) | undefined;
  const code = failure?.code;
  // The admin listener's bind errors are marked where they happen (start-gatehouse.ts).
  const isAdmin = (error as Record<symbol, unknown> | undefined)?.[ADMIN_LISTENER] === true;
  const flag = isAdmin ? '--admin-port' : '--port';
  const failedPort = isAdmin ? (failure?.port ?? 0) : port;
  const failedHost = failure?.address ?? failure?.hostname ?? host;
  const listener = isAdmin ? 'admin port' : 'port';
  if (code === 'EADDRINUSE') {
    return (
      `gatehouse start: ${listener} ${failedPort} on ${failedHost} is already in use (another Gatehouse, or wrangler dev?); ` +
      `choose another with ${flag}, e.g. ${flag} ${failedPort === 65535 ? 8788 : failedPort + 1} (${flag} 0 picks a free one)`
    );
  }
  if (code === 'EACCES') {
    return `gatehouse start: not allowed to listen on ${listener} ${failedPort} on ${failedHost}; choose a port above 1023 with ${flag}`;
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return isAdmin
      ? `gatehouse start: cannot listen on admin host ${failedHost} (${code}); use --admin-host 127.0.0.1`
      : `gatehouse start: cannot listen on host ${host} (${code}); use --host 127.0.0.1 or --host 0.0.0.0`;
  }
  return undefined;
}

/**
 * `gatehouse start [--config FILE] [--port N] [--host H] [--env-file FILE] [--log-level L]
 * [--binding NAME=PATH]... [--tls-cert FILE --tls-key FILE] [--h2c] [--workers N|auto]`. With
 * `--workers`, this process becomes the primary of N worker processes, each running this same
 * command on the one port (src/adapters/node/cluster-primary.ts). Each `--binding` provides the service binding NAME (what
 * `serviceBindings[].binding` names) from a local module, for `service_binding` routes and hooks.
 * Prints one line with `http://HOST:PORT` once accepting connections; refuses an invalid config
 * before listening; reloads on file change; drains in-flight requests on SIGTERM/SIGINT.
 */
export async function runStart(argv: string[], io: CliIo): Promise<number> {
  const code = await startProcess(argv, io);
  // A cluster worker's IPC channel would keep it alive after its server closed.
  if (cluster.isWorker) process.disconnect();
  return code;
}

async function startProcess(argv: string[], io: CliIo): Promise<number> {
  // Before the gateway's modules load: their loading is what first grows the young generation.
  const letYoungGenerationGrow = capYoungGeneration();
  keepWasmAtBaseline();
  boundOldGenerationGrowth();
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      'env-file': { type: 'string' },
      'log-level': { type: 'string' },
      'drain-ms': { type: 'string', default: '10000' },
      binding: { type: 'string', multiple: true, default: [] },
      'admin-port': { type: 'string' },
      'admin-host': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      h2c: { type: 'boolean', default: false },
      workers: { type: 'string' },
    },
  });
  const env = loadEnvironment(values['env-file']);
  const level = (values['log-level'] ?? env.GATEHOUSE_LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.has(level)) {
    io.stderr(`unknown log level "${level}" (use debug, info, warn, error or silent)`);
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`invalid --port "${values.port}"`);
    return 2;
  }
  let admin: { port: number; host?: string | undefined } | undefined;
  if (values['admin-port'] !== undefined) {
    const adminPort = Number(values['admin-port']);
    if (!Number.isInteger(adminPort) || adminPort < 0 || adminPort > 65535) {
      io.stderr(`invalid --admin-port "${values['admin-port']}"`);
      return 2;
    }
    if (adminPort !== 0 && adminPort === port) {
      io.stderr(`--admin-port ${adminPort} is the public port; the admin listener needs its own`);
      return 2;
    }
    admin = { port: adminPort, host: values['admin-host'] };
  } else if (values['admin-host'] !== undefined) {
    io.stderr('--admin-host needs --admin-port');
    return 2;
  }
  const tlsCert = values['tls-cert'];
  const tlsKey = values['tls-key'];
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    io.stderr('--tls-cert and --tls-key go together (PEM files of the certificate chain and its key)');
    return 2;
  }
  const bindingModules: BindingSpec[] = [];
  for (const flag of values.binding) {
    const spec = parseBindingFlag(flag);
    if ('error' in spec) {
      io.stderr(spec.error);
      return 2;
    }
    bindingModules.push(spec);
  }
  const drainMs = /^\d{1,10}$/.test(values['drain-ms']) ? Number(values['drain-ms']) : NaN;
  // A timer longer than 2^31 - 1 ms fires at once in Node: the drain (and the cluster's exit
  // deadline after it) must fit.
  if (!(drainMs <= MAX_DRAIN_MS)) {
    io.stderr(
      `invalid --drain-ms "${values['drain-ms']}" (milliseconds, a whole number from 0 to ${MAX_DRAIN_MS})`,
    );
    return 2;
  }
  let workers = 1;
  if (values.workers !== undefined) {
    const parsed = parseWorkerCount(values.workers, availableParallelism());
    if ('error' in parsed) {
      io.stderr(parsed.error);
      return 2;
    }
    workers = parsed.count;
  }
  // In a worker of `--workers N`, log lines name the process that wrote them.
  const workerIndex = cluster.isWorker ? Number(process.env[WORKER_INDEX_ENV] ?? '0') : 0;
  const linePrefix = cluster.isWorker ? `{"worker":${workerIndex},"pid":${process.pid},` : '{';
  const logger = createJsonLogger(
    level,
    (line) => void process.stderr.write(`${linePrefix}${line.slice(1)}\n`),
  );
  const source = resolveConfigSource(values.config, env);
  if (values.workers !== undefined && cluster.isPrimary) {
    // The primary loads no gateway code, but reads the trace export's timeout: a worker's last
    // batch goes out after its drain, and must not be taken for a hung worker.
    const exportMs = tracingSettingsFromEnv(env).settings?.timeoutMs ?? 0;
    return runClusterPrimary({
      workers,
      exitDeadlineMs: drainMs + EXIT_GRACE_MS + exportMs,
      logger,
      announce: (listening: WorkerListening, count: number) => {
        io.stdout(
          `Gatehouse listening on ${listening.url} (config: ${source.label}, ${count} worker${count === 1 ? '' : 's'})`,
        );
        printAdminUrls(io, listening, '/metrics, /healthz, /readyz of all workers');
      },
      adminMoved: (listening: WorkerListening) =>
        printAdminUrls(io, listening, 'worker 1 restarted; the old URL is gone'),
    });
  }
  // The admin listener runs in one process: worker 1 of a cluster (docs/BEHAVIOUR.md "Several processes").
  const adminListener = workerIndex <= 1;
  // Loaded here, not at the top: the primary of `--workers N` never loads the gateway.
  const { startGatehouse } = await import('../adapters/node/start-gatehouse.js');
  let gatehouse;
  try {
    gatehouse = await startGatehouse({
      source,
      env,
      logger,
      host: values.host,
      port,
      strict: isStrict(env),
      bindingModules,
      ...(admin ? { admin } : {}),
      adminListener,
      ...(cluster.isWorker ? { clusterWorker: workerIndex } : {}),
      ...(tlsCert !== undefined && tlsKey !== undefined
        ? { tls: { certFile: tlsCert, keyFile: tlsKey } }
        : {}),
      h2c: values.h2c,
    });
  } catch (error) {
    if (error instanceof BindingLoadError) {
      io.stderr(error.message);
      return 1;
    }
    if (isTlsFileError(error)) {
      io.stderr(`cannot use --tls-cert/--tls-key: ${(error as Error).message}`);
      return 1;
    }
    const listenProblem = describeListenError(error, values.host, port);
    if (listenProblem !== undefined) {
      io.stderr(listenProblem);
      return 1;
    }
    if (!(error instanceof ConfigInvalidError)) throw error;
    for (const problem of error.problems) io.stderr(formatProblem(problem));
    return 1;
  }
  // Serving from here on: the young generation may grow to its cap under load.
  letYoungGenerationGrow();
  // Printed once: by the only process, or by worker 1 of `--workers N` (the others compiled the same file).
  if (workerIndex <= 1) {
    for (const warning of gatehouse.runtime.current().warnings) io.stderr(formatProblem(warning));
  }
  const stopWatching = gatehouse.runtime.watch((result) => {
    // The certificate and key are reloaded with the config (docs/PROTOCOLS.md "TLS and HTTP/2").
    gatehouse
      .reloadTls()
      .catch((error: unknown) =>
        logger.error('TLS reload refused; the previous certificate keeps serving', { error: String(error) }),
      );
    if (result.ok) logger.info('config reloaded', { source: source.label });
    else
      logger.error('config reload refused; the previous config keeps serving', {
        source: source.label,
        problems: result.problems.map(formatProblem),
      });
  });
  const consoleUrl = gatehouse.admin?.handlers.paths.includes('/') ? `${gatehouse.adminUrl}/` : undefined;
  if (cluster.isWorker) {
    // The primary prints one URL line for all workers.
    const listening: WorkerListening = {
      type: 'gatehouse:listening',
      url: gatehouse.url,
      adminUrl: gatehouse.adminUrl,
      consoleUrl,
    };
    process.send?.(listening);
  } else {
    io.stdout(`Gatehouse listening on ${gatehouse.url} (config: ${source.label})`);
    if (gatehouse.adminUrl)
      io.stdout(`Admin listener on ${gatehouse.adminUrl} (/metrics, /healthz, /readyz)`);
    if (consoleUrl) io.stdout(`Web console on ${consoleUrl}`);
  }

  // Never let one request's bug end the process (docs/SECURITY.md "Faults and load").
  process.on('unhandledRejection', (reason) =>
    logger.error('unhandled rejection', { reason: String(reason) }),
  );

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string): void => {
      // A cluster worker may get the signal twice: from the terminal's process group and from
      // the primary, which forwards it.
      if (stopping) return;
      stopping = true;
      logger.info('shutting down', { signal });
      stopWatching();
      void gatehouse.close(drainMs).then(() => resolve(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

/** A PEM file that cannot be read or used (missing, unreadable, not a certificate or key). */
function isTlsFileError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('ERR_OSSL') || code === 'ENOENT' || code === 'EACCES');
}

/** The admin listener's and the web console's URL lines of a cluster (worker 1 runs both). */
function printAdminUrls(io: CliIo, listening: WorkerListening, note: string): void {
  if (listening.adminUrl) io.stdout(`Admin listener on ${listening.adminUrl} (${note})`);
  if (listening.consoleUrl) io.stdout(`Web console on ${listening.consoleUrl}`);
}
