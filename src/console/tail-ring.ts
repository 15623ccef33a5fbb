import type { AccessLogEntry, AccessLogLine } from '../observability/access-log.js';

/** One request as the console's tail shows it: fields of its access-log line (never a token). */
export type TailEntry = Pick<
  AccessLogLine,
  | 'requestId'
  | 'method'
  | 'path'
  | 'route'
  | 'status'
  | 'durationMs'
  | 'code'
  | 'authorizer'
  | 'upstream'
  | 'upstreamStatus'
> & {
  /** When it was recorded (epoch ms). */
  readonly at: number;
  /** For a refused token: the check that failed and why (the log line's `detail`, never the token). */
  readonly check?: string;
  readonly reason?: string;
};

/** The longest refusal reason a tail entry carries. */
const REASON_CHARS = 300;

/** The tail entry of one access-log entry, for the live feed (built only while a console listens). */
export function toTailEntry(entry: AccessLogEntry, at: number): TailEntry {
  const { line } = entry;
  const refusal = refusalOf(line.detail);
  return tailEntry(
    {
      at,
      requestId: line.requestId,
      method: line.method,
      path: line.path,
      route: line.route,
      status: line.status,
      durationMs: line.durationMs,
    },
    {
      code: line.code,
      authorizer: line.authorizer,
      upstream: line.upstream,
      upstreamStatus: line.upstreamStatus,
      check: refusal?.check,
      reason: refusal?.reason,
    },
  );
}

/**
 * The last `size` requests, kept column by column: a number array per numeric field and a
 * string array per text field, written in place. Keeping the published entries themselves (the
 * line object, its fields, the entry around it) meant every request's objects outlived the young
 * generation and were copied and promoted by the garbage collector: measured, that was most of
 * what the admin listener cost a proxied request (docs/BENCHMARKS.md "Metrics on, the console's
 * tail, and the static paths"). Here the strings new per request are the request id and the
 * path (and a refused token's reason); the rest are the config's own strings or numbers stored in
 * typed arrays.
 */
export class TailRing {
  readonly #at: Float64Array;
  readonly #status: Uint16Array;
  readonly #durationMs: Float64Array;
  /** 0 when the request made no upstream call or got no answer (an HTTP status is never 0). */
  readonly #upstreamStatus: Uint16Array;
  readonly #requestId: (string | undefined)[];
  readonly #method: string[];
  readonly #path: string[];
  readonly #route: (string | undefined)[];
  readonly #code: (string | undefined)[];
  readonly #authorizer: (string | undefined)[];
  readonly #upstream: (string | undefined)[];
  readonly #check: (string | undefined)[];
  readonly #reason: (string | undefined)[];
  /** Where the next entry goes. */
  #next = 0;

  constructor(readonly size: number) {
    this.#at = new Float64Array(size);
    this.#status = new Uint16Array(size);
    this.#durationMs = new Float64Array(size);
    this.#upstreamStatus = new Uint16Array(size);
    this.#requestId = new Array<string | undefined>(size).fill(undefined);
    this.#method = new Array<string>(size).fill('');
    this.#path = new Array<string>(size).fill('');
    this.#route = new Array<string | undefined>(size).fill(undefined);
    this.#code = new Array<string | undefined>(size).fill(undefined);
    this.#authorizer = new Array<string | undefined>(size).fill(undefined);
    this.#upstream = new Array<string | undefined>(size).fill(undefined);
    this.#check = new Array<string | undefined>(size).fill(undefined);
    this.#reason = new Array<string | undefined>(size).fill(undefined);
  }

  record({ line }: AccessLogEntry, at: number): void {
    const i = this.#next;
    this.#next = i + 1 === this.size ? 0 : i + 1;
    this.#at[i] = at;
    this.#requestId[i] = line.requestId;
    this.#method[i] = line.method;
    this.#path[i] = line.path;
    this.#route[i] = line.route;
    this.#status[i] = line.status;
    this.#durationMs[i] = line.durationMs;
    this.#code[i] = line.code;
    this.#authorizer[i] = line.authorizer;
    this.#upstream[i] = line.upstream;
    this.#upstreamStatus[i] = line.upstreamStatus ?? 0;
    const refusal = refusalOf(line.detail);
    this.#check[i] = refusal?.check;
    this.#reason[i] = refusal?.reason;
  }

  /** The kept entries, oldest first. */
  entries(): TailEntry[] {
    const entries: TailEntry[] = [];
    for (let k = 0; k < this.size; k++) {
      const i = (this.#next + k) % this.size;
      const requestId = this.#requestId[i];
      if (requestId === undefined) continue;
      const upstreamStatus = this.#upstreamStatus[i] as number;
      entries.push(
        tailEntry(
          {
            at: this.#at[i] as number,
            requestId,
            method: this.#method[i] as string,
            path: this.#path[i] as string,
            route: this.#route[i],
            status: this.#status[i] as number,
            durationMs: this.#durationMs[i] as number,
          },
          {
            code: this.#code[i],
            authorizer: this.#authorizer[i],
            upstream: this.#upstream[i],
            upstreamStatus: upstreamStatus === 0 ? undefined : upstreamStatus,
            check: this.#check[i],
            reason: this.#reason[i],
          },
        ),
      );
    }
    return entries;
  }
}

/** The failed check and its message, when the line's `detail` names one (a refused token). */
function refusalOf(detail: unknown): { check: string; reason: string | undefined } | undefined {
  const { check, message } = (detail ?? {}) as { check?: unknown; message?: unknown };
  if (typeof check !== 'string') return undefined;
  return { check, reason: typeof message === 'string' ? message.slice(0, REASON_CHARS) : undefined };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type OptionalFields = Omit<
  TailEntry,
  'at' | 'requestId' | 'method' | 'path' | 'route' | 'status' | 'durationMs'
>;

/** A tail entry with its optional fields present only when set (the console's JSON stays small). */
function tailEntry(
  required: Omit<TailEntry, keyof OptionalFields>,
  optional: { readonly [K in keyof OptionalFields]-?: OptionalFields[K] | undefined },
): TailEntry {
  const entry: Mutable<TailEntry> = required;
  for (const name of OPTIONAL_FIELDS) {
    const value = optional[name];
    if (value !== undefined) (entry as Record<string, unknown>)[name] = value;
  }
  return entry;
}

const OPTIONAL_FIELDS = ['code', 'authorizer', 'upstream', 'upstreamStatus', 'check', 'reason'] as const;
