import type { Worker } from 'node:cluster';

/**
 * The primary's half of the cluster-wide admin endpoints (docs/BEHAVIOUR.md "Several
 * processes"): worker 1 serves `/metrics`, `/healthz` and `/readyz`, and asks the primary to
 * gather a report (`what`: its metrics as prom-client JSON, its readiness…) from every worker
 * over the cluster IPC channel. The primary only relays: it loads no gateway or metrics code, so
 * it stays as small as before; worker 1 aggregates (admin/cluster-admin.ts).
 *
 * A configured worker that is not listening (starting, or restarting after a crash) or that does
 * not answer within GATHER_TIMEOUT_MS is named in `missing` with the reason.
 */

/** Worker 1 → primary. */
export interface GatherRequest {
  readonly type: 'gatehouse:gather';
  readonly id: number;
  readonly what: string;
}

/** Primary → one worker, and that worker's answer. */
export interface ReportRequest {
  readonly type: 'gatehouse:report';
  readonly id: number;
  readonly what: string;
}
export interface ReportAnswer {
  readonly type: 'gatehouse:reported';
  readonly id: number;
  readonly value?: unknown;
  readonly error?: string;
}

/** Primary → worker 1: every worker's report, by worker index. */
export interface Gathered {
  readonly type: 'gatehouse:gathered';
  readonly id: number;
  readonly reports: readonly { readonly worker: number; readonly value: unknown }[];
  readonly missing: readonly MissingReport[];
}

/** A worker that gave no report: not running (starting, restarting), or running but silent. */
export interface MissingReport {
  readonly worker: number;
  readonly running: boolean;
  readonly reason: string;
}

/** How long the primary waits for one worker's report (a stopped or hung worker never answers). */
export const GATHER_TIMEOUT_MS = 5_000;

export interface GatherHub {
  /** Routes a message a worker sent; returns false when it is not part of the gather protocol. */
  onMessage(from: Worker, message: unknown): boolean;
  /** Forgets a worker that exited: a report it owed counts as missing at once. */
  onExit(worker: Worker): void;
}

/** One gather: what worker 1 asked, and what has come back so far. */
interface SharedGather {
  readonly asker: Worker;
  readonly askerId: number;
  readonly gathered: { worker: number; value: unknown }[];
  readonly missing: MissingReport[];
  waiting: number;
}

/** One worker asked within a gather. */
interface Pending {
  readonly worker: number;
  readonly from: Worker;
  readonly timer: NodeJS.Timeout;
  readonly shared: SharedGather;
}

/**
 * `workers()` is the primary's live view: configured index → the worker process that listens
 * under that index, or undefined while it is not listening.
 */
export function createGatherHub(
  workerCount: number,
  workers: (index: number) => Worker | undefined,
): GatherHub {
  let nextId = 0;
  /** One entry per (gather, asked worker), keyed by the id sent to that worker. */
  const asked = new Map<number, Pending>();

  const finishIfDone = (state: SharedGather): void => {
    if (state.waiting > 0) return;
    const answer: Gathered = {
      type: 'gatehouse:gathered',
      id: state.askerId,
      reports: [...state.gathered].sort((a, b) => a.worker - b.worker),
      missing: [...state.missing].sort((a, b) => a.worker - b.worker),
    };
    if (state.asker.isConnected()) state.asker.send(answer);
  };
  const settle = (id: number, outcome: { value: unknown } | { reason: string }): void => {
    const pending = asked.get(id);
    if (pending === undefined) return;
    asked.delete(id);
    clearTimeout(pending.timer);
    if ('value' in outcome) pending.shared.gathered.push({ worker: pending.worker, value: outcome.value });
    else pending.shared.missing.push({ worker: pending.worker, running: true, reason: outcome.reason });
    pending.shared.waiting--;
    finishIfDone(pending.shared);
  };

  const gather = (asker: Worker, request: GatherRequest): void => {
    const shared: SharedGather = { asker, askerId: request.id, gathered: [], missing: [], waiting: 0 };
    for (let index = 1; index <= workerCount; index++) {
      const worker = workers(index);
      if (worker === undefined || !worker.isConnected()) {
        shared.missing.push({
          worker: index,
          running: false,
          reason: 'not running (starting or restarting)',
        });
        continue;
      }
      const id = nextId++;
      shared.waiting++;
      const timer = setTimeout(
        () => settle(id, { reason: `no answer within ${GATHER_TIMEOUT_MS} ms` }),
        GATHER_TIMEOUT_MS,
      );
      asked.set(id, { worker: index, from: worker, timer, shared });
      const ask: ReportRequest = { type: 'gatehouse:report', id, what: request.what };
      worker.send(ask);
    }
    finishIfDone(shared);
  };

  return {
    onMessage(from, message) {
      if (isMessage<GatherRequest>(message, 'gatehouse:gather')) {
        gather(from, message);
        return true;
      }
      if (isMessage<ReportAnswer>(message, 'gatehouse:reported')) {
        const pending = asked.get(message.id);
        if (pending?.from !== from) return true;
        settle(
          message.id,
          message.error === undefined ? { value: message.value } : { reason: message.error },
        );
        return true;
      }
      return false;
    },
    onExit(worker) {
      for (const [id, pending] of asked) {
        if (pending.from === worker) settle(id, { reason: 'exited before answering' });
      }
    },
  };
}

function isMessage<T extends { type: string; id: number }>(message: unknown, type: T['type']): message is T {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === type &&
    typeof (message as { id?: unknown }).id === 'number'
  );
}
