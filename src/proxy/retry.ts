import { isGatewayError } from '../errors/gateway-error.js';

/** docs/PROTOCOLS.md "Retries": at most this share of a server's requests may be retries. */
export const RETRY_BUDGET_RATIO = 0.2;
/** Retries a window always allows, so a quiet server still retries its rare failures. */
export const RETRY_BUDGET_FLOOR = 3;
/** The window the budget counts requests and retries in. */
const BUDGET_WINDOW_MS = 10_000;

/** RFC 9110 §9.2.2: methods whose repetition has the same effect as one request. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Connection failures that prove the request never reached the upstream application. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether a failed upstream attempt may be sent again (docs/PROTOCOLS.md "Retries"): only a
 * connection failure (no response byte exists yet, so none reached the client), only without a
 * request body (a streamed body was consumed by the first attempt), and only for an idempotent
 * method or when the failure proves the request never reached the upstream.
 */
export function mayRetry(error: unknown, method: string, hasBody: boolean): boolean {
  if (hasBody || !isGatewayError(error) || error.code !== 'ERR_UPSTREAM_UNAVAILABLE') return false;
  if (IDEMPOTENT.has(method)) return true;
  const reason = error.detail?.upstreamError;
  return typeof reason === 'string' && NEVER_SENT.has(reason);
}

/**
 * Retries of one server, bounded so they cannot multiply an overload: in each 10 s window at
 * most 20% of the requests may be retries (but always 3, so a quiet server still retries).
 */
export class RetryBudget {
  private windowStart = 0;
  private requests = 0;
  private retries = 0;

  constructor(private readonly now: () => number) {}

  /** Counts one client request (not its retries). */
  noteRequest(): void {
    this.roll();
    this.requests++;
  }

  /** Takes one retry from the budget, if the window has room for it. */
  tryAcquire(): boolean {
    this.roll();
    if (this.retries >= Math.max(RETRY_BUDGET_FLOOR, this.requests * RETRY_BUDGET_RATIO)) return false;
    this.retries++;
    return true;
  }

  private roll(): void {
    const now = this.now();
    if (now - this.windowStart < BUDGET_WINDOW_MS) return;
    this.windowStart = now;
    this.requests = 0;
    this.retries = 0;
  }
}
