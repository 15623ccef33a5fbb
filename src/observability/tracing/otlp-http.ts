import type { SpanSender } from './export-queue.js';

/**
 * Sends one POST and resolves with the answer's status once its body is consumed. The runtime's
 * own client: on Node undici's `request` (cheaper than `fetch` there), elsewhere `fetch`.
 */
export type OtlpPost = (
  url: string,
  headers: Readonly<Record<string, string>>,
  body: Uint8Array<ArrayBuffer>,
  signal: AbortSignal,
) => Promise<number>;

/** A poster over a plain `fetch` (never the traced one: exports must not produce spans). */
export function postWithFetch(plain: typeof fetch): OtlpPost {
  return async (url, headers, body, signal) => {
    const response = await plain(url, { method: 'POST', headers, body, signal });
    // The body is not needed; reading it lets the connection be reused.
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  };
}

export interface OtlpHttpOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly post: OtlpPost;
  /** Called with a reason when a batch could not be delivered (the batch is then dropped). */
  readonly onFailure: (reason: string, spans: number) => void;
}

/**
 * Sends batches to an OTLP/HTTP collector as JSON through the runtime's HTTP client (the SDK's
 * exporters use node:http on Node and XMLHttpRequest/sendBeacon in browsers, neither of which
 * exists on Workers; Workers post with `fetch`). A failed batch is reported and dropped, never retried: the queue
 * bounds memory, not the collector.
 */
export function createOtlpHttpSender(options: OtlpHttpOptions): SpanSender {
  const headers = { ...options.headers, 'content-type': 'application/json' };
  return async (body, spans) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    try {
      const status = await options.post(options.url, headers, body, controller.signal);
      if (status < 200 || status > 299) options.onFailure(`collector answered HTTP ${status}`, spans);
    } catch (error) {
      options.onFailure(
        controller.signal.aborted
          ? `no answer within ${options.timeoutMs} ms`
          : error instanceof Error
            ? error.message
            : String(error),
        spans,
      );
    } finally {
      clearTimeout(timer);
    }
  };
}
