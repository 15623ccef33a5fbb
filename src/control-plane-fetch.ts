import { readCappedBytes } from './capped-body.js';

/**
 * The one policy of the gateway's control-plane calls: remote key sets (auth/remote-key-set.ts),
 * OpenID discovery documents (oidc/discovery.ts) and the identity flows' provider calls
 * (integrations/identity/provider-call.ts). Every such call goes through the platform's fetch
 * with
 *
 * - one deadline covering the headers and the body (and the client's signal, when a request
 *   waits on the call);
 * - redirects never followed (`redirect: 'manual'`): a key set or a token endpoint that moves is
 *   a configuration problem to report, not a hop to take (docs/SECURITY.md);
 * - a cap on the body: a declared `Content-Length` above it is refused before reading, and the
 *   read stops once the cap is passed.
 *
 * Failures are values, so each caller words them in its own vocabulary (ERR_JWKS_UNAVAILABLE's
 * explanation, a discovery failure, a flow's documented code).
 */
export interface ControlPlanePolicy {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** A client signal: the call stops when the request it serves goes away. */
  readonly signal?: AbortSignal;
}

export type ControlPlaneResult =
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly headers: Headers;
      /** The body, read in full (at most `maxBytes`). */
      readonly bytes: Uint8Array;
    }
  /** A 3xx (or an opaque redirect): not followed, its body not read. */
  | { readonly kind: 'redirect'; readonly status: number }
  | { readonly kind: 'too_large'; readonly status: number }
  | { readonly kind: 'unreachable'; readonly timedOut: boolean; readonly reason: string };

/** A fetch bound to one call's deadline: redirects off, rejections marked as the fetch's own. */
export interface BoundedFetch {
  readonly fetch: typeof fetch;
  readonly signal: AbortSignal;
  /** The deadline passed (rather than the client leaving or the connection failing). */
  timedOut(): boolean;
}

/** Marks a rejection of fetch itself, so callers tell it apart from a protocol library's errors. */
export class ControlPlaneFetchError extends Error {
  constructor(cause: unknown) {
    super(errorMessage(cause));
    this.name = 'ControlPlaneFetchError';
  }
}

export function boundedFetch(
  fetchImpl: typeof fetch,
  policy: Omit<ControlPlanePolicy, 'maxBytes'>,
): BoundedFetch {
  const deadline = AbortSignal.timeout(policy.timeoutMs);
  const signal = policy.signal ? AbortSignal.any([deadline, policy.signal]) : deadline;
  return {
    signal,
    timedOut: () => deadline.aborted,
    fetch: (input, init) =>
      fetchImpl(input, { ...init, redirect: 'manual', signal }).catch((error: unknown) => {
        throw new ControlPlaneFetchError(error);
      }),
  };
}

/**
 * Reads an answer's body under the policy: an oversized body is refused (declared or counted), a
 * body that breaks or outlives the deadline is `unreachable`. Any status is an answer here (a
 * provider's 3xx is its answer to a flow); controlPlaneGet refuses redirects before reading.
 */
export async function readBounded(
  response: Response,
  call: Pick<BoundedFetch, 'timedOut'>,
  maxBytes: number,
): Promise<Exclude<ControlPlaneResult, { kind: 'redirect' }>> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(response);
    return { kind: 'too_large', status: response.status };
  }
  try {
    const bytes = await readCappedBytes(response.body, maxBytes);
    if (bytes === undefined) return { kind: 'too_large', status: response.status };
    return { kind: 'answer', status: response.status, headers: response.headers, bytes };
  } catch (error) {
    // The connection broke or the deadline passed while the body was streaming.
    return { kind: 'unreachable', timedOut: call.timedOut(), reason: errorMessage(error) };
  }
}

/** GETs `url` under the policy; a redirect is reported, not followed, its body unread. */
export async function controlPlaneGet(
  fetchImpl: typeof fetch,
  url: string,
  accept: string,
  policy: ControlPlanePolicy,
): Promise<ControlPlaneResult> {
  const call = boundedFetch(fetchImpl, policy);
  let response: Response;
  try {
    response = await call.fetch(url, { method: 'GET', headers: { accept } });
  } catch (error) {
    return { kind: 'unreachable', timedOut: call.timedOut(), reason: errorMessage(error) };
  }
  if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
    discard(response);
    return { kind: 'redirect', status: response.status };
  }
  return readBounded(response, call, policy.maxBytes);
}

function discard(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}

/** An error's message with its cause's (undici puts the useful part there). */
export function errorMessage(error: unknown): string {
  if (error instanceof ControlPlaneFetchError) return error.message;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return error instanceof Error ? `${error.message}${cause}` : String(error);
}
