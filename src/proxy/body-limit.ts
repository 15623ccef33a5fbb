import { GatewayError } from '../errors/gateway-error.js';

/**
 * Caps a request body whose size was not declared (chunked uploads): a declared Content-Length
 * over the limit is refused before routing (gateway.ts); an undeclared one is counted as it
 * streams, never buffered to be measured.
 *
 * Past the limit the upstream call is aborted first (through the returned signal), and only then
 * is the stream failed: workerd's fetch treats a failing request-body stream as its end and would
 * send the upstream a truncated body as if it were complete; an aborted fetch sends nothing more.
 * The 413 is the abort reason, so the proxy answers it. `Connection: close` because the rest of
 * the client's body is never read.
 */
export interface LimitedBody {
  readonly body: ReadableStream<Uint8Array>;
  /** Aborted when the client aborts or the body passes the limit. */
  readonly signal: AbortSignal;
}

export function limitBodySize(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  clientSignal: AbortSignal,
): LimitedBody {
  const overflow = new AbortController();
  let seen = 0;
  const limited = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen <= maxBytes) return controller.enqueue(chunk);
        const error = new GatewayError('ERR_PAYLOAD_TOO_LARGE', {
          detail: { limitBytes: maxBytes, reason: 'undeclared body passed the limit' },
          headers: { connection: 'close' },
        });
        overflow.abort(error);
        controller.error(error);
      },
    }),
  );
  return { body: limited, signal: AbortSignal.any([clientSignal, overflow.signal]) };
}
