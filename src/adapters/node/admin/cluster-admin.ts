import { AggregatorRegistry } from 'prom-client';
import type { Gathered, GatherRequest, ReportAnswer, ReportRequest } from '../cluster-gather.js';
import { ANSWER_STATUS } from '../../../errors/statuses.js';
import type { ReadinessReport } from '../../../observability/readiness.js';
import type { AdminHandlers } from './handlers.js';

/**
 * The workers' half of the cluster-wide admin endpoints of `gatehouse start --workers N`
 * (docs/BEHAVIOUR.md "Several processes", docs/OBSERVABILITY.md "Several processes"). Every
 * worker answers the primary's report requests (its metrics as prom-client JSON, its
 * readiness); worker 1's admin listener asks the primary to gather them from all workers
 * (../cluster-gather.ts) and aggregates with prom-client's AggregatorRegistry, each metric by its
 * `aggregator` (sum for Gatehouse's counters, histograms and in-flight gauge, max for
 * gatehouse_config_info, prom-client's own choice for the process metrics).
 */

/** What a worker reports, by the name the gather asks for. */
export interface WorkerReporters {
  metrics(): Promise<unknown>;
  readiness(): Promise<ReadinessReport>;
}

/** Answers the primary's report requests in this worker; returns the function that stops. */
export function answerClusterReports(reporters: WorkerReporters): () => void {
  const onMessage = (message: unknown): void => {
    if (!isType<ReportRequest>(message, 'gatehouse:report')) return;
    const report = reportOf(reporters, message.what);
    report.then(
      (value) => send({ type: 'gatehouse:reported', id: message.id, value }),
      (error: unknown) =>
        send({
          type: 'gatehouse:reported',
          id: message.id,
          error: error instanceof Error ? error.message : String(error),
        }),
    );
  };
  process.on('message', onMessage);
  return () => void process.off('message', onMessage);
}

function reportOf(reporters: WorkerReporters, what: string): Promise<unknown> {
  if (what === 'metrics') return reporters.metrics();
  if (what === 'readiness') return reporters.readiness();
  if (what === 'health') return Promise.resolve('ok');
  return Promise.reject(new Error(`unknown report "${what}"`));
}

function send(message: ReportAnswer | GatherRequest): void {
  // A worker whose primary has gone (shutdown) has no channel left; nothing to answer then.
  if (process.connected) process.send?.(message);
}

/** Longer than the primary's own per-worker wait (cluster-gather.ts), so the primary decides. */
const ASK_PRIMARY_TIMEOUT_MS = 10_000;
let nextGatherId = 0;

/** Asks the primary for every worker's `what` report. */
export function gatherFromWorkers(what: string): Promise<Gathered> {
  return new Promise((resolve, reject) => {
    const id = nextGatherId++;
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the primary process did not answer'));
    }, ASK_PRIMARY_TIMEOUT_MS);
    const onMessage = (message: unknown): void => {
      if (!isType<Gathered>(message, 'gatehouse:gathered') || message.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(message);
    };
    process.on('message', onMessage);
    send({ type: 'gatehouse:gather', id, what });
  });
}

/** `/metrics`, `/healthz` and `/readyz` of worker 1's admin listener, for every worker. */
export function registerClusterHandlers(handlers: AdminHandlers): void {
  handlers.register('GET', '/metrics', async () => {
    const { reports, missing } = await gatherFromWorkers('metrics');
    // A running worker that did not answer (hung, overloaded) fails the scrape: sums without its
    // counts would go down and up again, which rate() reads as two counter resets. A worker
    // that is not running has no counts left to give (a restarted worker starts from zero, a
    // counter reset Prometheus expects); the others' are served.
    const silent = missing.filter((m) => m.running);
    if (silent.length > 0) {
      return json(ANSWER_STATUS.notReady, {
        status: 'incomplete',
        workers: Object.fromEntries(silent.map((m) => [m.worker, m.reason])),
      });
    }
    const registry = AggregatorRegistry.aggregate(reports.map((r) => r.value as object[]));
    return new Response(await registry.metrics(), {
      headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' },
    });
  });
  handlers.register('GET', '/healthz', async () => {
    const { reports, missing } = await gatherFromWorkers('health');
    const workers: Record<string, string> = {};
    for (const { worker } of reports) workers[worker] = 'ok';
    for (const { worker, reason } of missing) workers[worker] = reason;
    const ok = missing.length === 0;
    return json(ok ? ANSWER_STATUS.ready : ANSWER_STATUS.notReady, {
      status: ok ? 'ok' : 'not ok',
      workers,
    });
  });
  handlers.register('GET', '/readyz', async () => {
    const combined = combineReadiness(await gatherFromWorkers('readiness'));
    return json(combined.ready ? ANSWER_STATUS.ready : ANSWER_STATUS.notReady, {
      status: combined.ready ? 'ready' : 'not ready',
      ...combined,
    });
  });
}

export interface ClusterReadiness {
  readonly ready: boolean;
  /** `worker:I/CHECK` for a failed check of worker I; `worker:I` for a worker that did not report. */
  readonly notReady: readonly string[];
  readonly workers: Readonly<Record<string, ReadinessReport | { ready: false; detail: string }>>;
}

/** Ready only when every configured worker reported and each is ready. */
export function combineReadiness({
  reports,
  missing,
}: Pick<Gathered, 'reports' | 'missing'>): ClusterReadiness {
  const notReady: string[] = [];
  const workers: Record<string, ReadinessReport | { ready: false; detail: string }> = {};
  for (const { worker, value } of reports) {
    const report = value as ReadinessReport;
    workers[worker] = report;
    for (const name of report.notReady) notReady.push(`worker:${worker}/${name}`);
  }
  for (const { worker, reason } of missing) {
    workers[worker] = { ready: false, detail: reason };
    notReady.push(`worker:${worker}`);
  }
  return { ready: notReady.length === 0, notReady, workers };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

function isType<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}
