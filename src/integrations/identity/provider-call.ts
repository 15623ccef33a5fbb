import { readCappedBytes } from '../../capped-body.js';
import { boundedFetch, ControlPlaneFetchError, readBounded } from '../../control-plane-fetch.js';
/**
 * One outbound call of an identity flow (docs/FLOWS.md, first paragraph), under the one
 * control-plane policy (src/control-plane-fetch.ts): the platform's fetch, redirects never
 * followed, one deadline covering headers and body (10 s by default, the authorizer's
 * `timeout_ms`), a cap on the body read, and the client's disconnect signal. Failures come back as values, so each flow maps them to its own documented codes:
 * the provider answered (any status) / the provider could not be reached or timed out.
 */
export const DEFAULT_FLOW_TIMEOUT_MS = 10_000;

/** Token, userinfo and Supabase session answers are a few KiB; this is far above any of them. */
export const MAX_PROVIDER_BODY_BYTES = 256 * 1024;

export type ProviderResult =
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly contentType: string | null;
      /** The body, read in full (at most MAX_PROVIDER_BODY_BYTES). */
      readonly text: string;
    }
  | { readonly kind: 'too_large'; readonly status: number }
  | { readonly kind: 'unreachable'; readonly timedOut: boolean; readonly reason: string };

export interface ProviderCallOptions {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  /** The client's signal: a client that goes away stops the provider call. */
  readonly signal: AbortSignal;
  readonly maxBytes?: number;
}

/**
 * Runs `send` (which must issue exactly one request through the fetch it is given) under the
 * control-plane policy (src/control-plane-fetch.ts) and reads the answer. Errors thrown by `send`
 * before any request went out (a protocol library refusing its arguments: a configuration fault)
 * propagate unchanged.
 */
export async function callProvider(
  send: (fetchImpl: typeof fetch, signal: AbortSignal) => Promise<Response>,
  options: ProviderCallOptions,
): Promise<ProviderResult> {
  const call = boundedFetch(options.fetch, { timeoutMs: options.timeoutMs, signal: options.signal });
  let response: Response;
  try {
    response = await send(call.fetch, call.signal);
  } catch (error) {
    if (!(error instanceof ControlPlaneFetchError)) throw error;
    return { kind: 'unreachable', timedOut: call.timedOut(), reason: error.message };
  }
  const result = await readBounded(response, call, options.maxBytes ?? MAX_PROVIDER_BODY_BYTES);
  if (result.kind !== 'answer') return result;
  return {
    kind: 'answer',
    status: result.status,
    contentType: result.headers.get('content-type'),
    text: new TextDecoder().decode(result.bytes),
  };
}

/** The body as text, or undefined once it exceeds `maxBytes` (the rest is not read). */
export async function readCappedText(
  source: { readonly body: ReadableStream<Uint8Array> | null },
  maxBytes: number,
): Promise<string | undefined> {
  const bytes = await readCappedBytes(source.body, maxBytes);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

/** A plain JSON object, or undefined for anything else (invalid JSON, arrays, null, numbers). */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
