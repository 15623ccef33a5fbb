import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../../observability/logger.js';
import { createGatherHub } from './cluster-gather.js';

/**
 * `gatehouse start --workers N`: the primary process of a node:cluster (docs/BEHAVIOUR.md
 * "Several processes"). It serves no request and loads no gateway code: it forks N workers that
 * each run the ordinary `gatehouse start` on the same port (the primary owns the listening
 * socket and hands connections to the workers in turn), prints one URL line once every worker
 * listens, restarts a worker that dies (with a growing delay, so a crash loop cannot spin), and
 * forwards SIGTERM/SIGINT so every worker drains its in-flight requests before the primary exits.
 *
 * Worker 1 alone runs the admin listener; a replacement of worker 1 takes it over. Its
 * `/metrics`, `/healthz` and `/readyz` speak for every worker: it asks the primary, which
 * gathers each worker's report over the IPC channel (cluster-gather.ts).
 */

/** The message a worker sends once it listens (see runStart). */
export interface WorkerListening {
  readonly type: 'gatehouse:listening';
  readonly url: string;
  readonly adminUrl?: string | undefined;
  readonly consoleUrl?: string | undefined;
}

export const WORKER_INDEX_ENV = 'GATEHOUSE_WORKER_INDEX';

/** Restart delays: doubled for each crash in a row, from 100 ms up to 10 s. */
const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 10_000;
/** A worker that ran this long before dying starts the back-off afresh. */
const STABLE_AFTER_MS = 10_000;
/**
 * After SIGTERM, how long past `--drain-ms` the primary waits for a worker to exit (a drained
 * worker still closes its listeners), plus the trace export's timeout when tracing is on (its
 * last batch is sent on the way out), before it kills it.
 */
export const EXIT_GRACE_MS = 1_000;
/** The longest delay a Node timer keeps (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ClusterOptions {
  readonly workers: number;
  /**
   * How long after SIGTERM a worker may take to exit before it is killed: `--drain-ms`, the
   * EXIT_GRACE_MS to close, and the trace export's timeout when tracing is on.
   */
  readonly exitDeadlineMs: number;
  readonly logger: Logger;
  /** Printed once, when every worker listens. */
  announce(listening: WorkerListening, workers: number): void;
  /**
   * A replacement of worker 1 listens with another admin URL than the one announced (with
   * `--admin-port 0` it gets a new port): without a new line nobody could find it.
   */
  adminMoved(listening: WorkerListening): void;
}

/**
 * Runs the primary until it is told to stop (SIGTERM/SIGINT) and every worker has exited.
 * Resolves with the exit code: 0 after a drain, the first worker's code when it cannot start.
 */
export function runClusterPrimary(options: ClusterOptions): Promise<number> {
  const { logger } = options;
  return new Promise<number>((resolve) => {
    const byIndex = new Map<number, Worker>();
    const startedAt = new Map<Worker, number>();
    const crashesInARow = new Map<number, number>();
    const restartTimers = new Set<NodeJS.Timeout>();
    let announced = false;
    /** What worker 1 listens on: the URL line, and the admin listener's (worker 1 runs it). */
    let first: WorkerListening | undefined;
    /** Worker 1 listened once: the config compiles and the port is free. */
    let proven = false;
    let stopping = false;
    let deadline: NodeJS.Timeout | undefined;
    const listening = new Set<number>();
    const gatherHub = createGatherHub(options.workers, (index) =>
      listening.has(index) ? byIndex.get(index) : undefined,
    );

    const fork = (index: number): void => {
      const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index) });
      byIndex.set(index, worker);
      startedAt.set(worker, Date.now());
      logger.info('worker started', { worker: index, pid: worker.process.pid });
      worker.on('message', (message: unknown) => {
        if (gatherHub.onMessage(worker, message)) return;
        if (!isListening(message)) return;
        listening.add(index);
        if (index === 1) {
          if (announced && message.adminUrl !== undefined && message.adminUrl !== first?.adminUrl)
            options.adminMoved(message);
          first = message;
        }
        if (!proven && !stopping) {
          // The first worker proved the config and the port: start the others.
          proven = true;
          for (let i = 2; i <= options.workers; i++) fork(i);
        }
        if (!announced && listening.size === options.workers) {
          announced = true;
          options.announce(first ?? message, options.workers);
        }
      });
      worker.on('exit', (code, signal) => {
        const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
        startedAt.delete(worker);
        gatherHub.onExit(worker);
        if (byIndex.get(index) === worker) byIndex.delete(index);
        listening.delete(index);
        if (stopping) {
          if (byIndex.size === 0) {
            clearTimeout(deadline);
            resolve(0);
          }
          return;
        }
        if (!proven) {
          // The config is invalid or the port taken (worker 1 said why on stderr): no retry.
          stopping = true;
          resolve(code === 0 || code === null ? 1 : code);
          return;
        }
        const crashes = lived >= STABLE_AFTER_MS ? 0 : (crashesInARow.get(index) ?? 0);
        crashesInARow.set(index, crashes + 1);
        const delay = restartDelayMs(crashes);
        logger.warn('worker exited; restarting', {
          worker: index,
          pid: worker.process.pid,
          code,
          signal,
          restartInMs: delay,
        });
        const timer = setTimeout(() => {
          restartTimers.delete(timer);
          if (!stopping) fork(index);
        }, delay);
        restartTimers.add(timer);
      });
    };
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info('shutting down', { signal, workers: byIndex.size });
      for (const timer of restartTimers) clearTimeout(timer);
      restartTimers.clear();
      if (byIndex.size === 0) {
        resolve(0);
        return;
      }
      // Each worker drains its in-flight requests (--drain-ms) and exits. One that cannot (a
      // stopped process, a blocked event loop) must not keep the whole service from stopping.
      for (const worker of byIndex.values()) worker.process.kill('SIGTERM');
      deadline = setTimeout(
        () => {
          for (const [index, worker] of byIndex) {
            logger.warn('worker did not exit in time after SIGTERM; killed', {
              worker: index,
              pid: worker.process.pid,
              waitedMs: options.exitDeadlineMs,
            });
            worker.process.kill('SIGKILL');
          }
        },
        Math.min(options.exitDeadlineMs, MAX_TIMER_MS),
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    fork(1);
  });
}

/** The delay before restarting a worker that crashed after `crashesInARow` earlier quick crashes. */
export function restartDelayMs(crashesInARow: number): number {
  return Math.min(FIRST_RESTART_DELAY_MS * 2 ** crashesInARow, MAX_RESTART_DELAY_MS);
}

function isListening(message: unknown): message is WorkerListening {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'gatehouse:listening' &&
    typeof (message as { url?: unknown }).url === 'string'
  );
}

/** `--workers N|auto` → a worker count, or an error sentence. */
export function parseWorkerCount(
  value: string,
  availableParallelism: number,
): { count: number } | { error: string } {
  if (value === 'auto') return { count: Math.max(1, availableParallelism) };
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 1024) {
    return { error: `invalid --workers "${value}" (a whole number from 1, or auto)` };
  }
  return { count };
}
