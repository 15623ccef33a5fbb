import type { SpanSender } from './export-queue.js';

export interface OtlpHttpOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** The platform's plain fetch (never the traced one: exports must not produce spans). */
  readonly fetch: typeof fetch;
  /** Called with a reason when a batch could not be delivered (the batch is then dropped). */
  readonly onFailure: (reason: string, spans: number) => void;
}

/**
 * Sends batches to an OTLP/HTTP collector as JSON with `fetch`, which both runtimes have (the
 * SDK's exporters use node:http on Node and XMLHttpRequest/sendBeacon in browsers, neither of
 * which exists on Workers). A failed batch is reported and dropped, never retried: the queue
 * bounds memory, not the collector.
 */
export function createOtlpHttpSender(options: OtlpHttpOptions): SpanSender {
  const headers = { ...options.headers, 'content-type': 'application/json' };
  return async (body, spans) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    try {
      const response = await options.fetch(options.url, {
        method: 'POST',
        headers,
        body,
        signal: controller.signal,
      });
      // The body is not needed; reading it lets the connection be reused.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) options.onFailure(`collector answered HTTP ${response.status}`, spans);
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
