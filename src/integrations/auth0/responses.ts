import type { RequestContext } from '../../context.js';
import { renderError, renderJsonError } from '../../errors/render.js';
import { parseJsonObject, type ProviderResult } from '../identity/provider-call.js';

/**
 * The Auth0 flows' error answers (docs/FLOWS.md "Auth0"), each recorded on the request's log
 * line with a `detail` that names what happened — the provider's status and OAuth error code,
 * never a code, token or secret (docs/SECURITY.md "Secrets").
 */
export type Auth0Action = 'token exchange' | 'userinfo' | 'refresh token';

/**
 * The callback's refusals are returned as rendered catalogue rows rather than thrown, because
 * the callback clears the transaction cookie on every answer after matching it; the other flows
 * throw GatewayErrors and let the gateway's exit render and log them.
 */
export const missingCode = (): Response => renderError('missing_code');
/** (ext) The callback's `state` is absent, does not match the transaction cookie, or the cookie is missing/expired. */
export const invalidState = (): Response => renderError('invalid_state');
/** (ext) The callback's `iss` parameter (RFC 9207) is missing where required or names another issuer. */
export const invalidIssuer = (): Response => renderError('invalid_issuer');
export const tokenStillValid = (): Response =>
  new Response(JSON.stringify({ message: 'Token is still valid', code: 'token_still_valid' }), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });

/**
 * The provider answered, but not with what the flow needs. Its 4xx/5xx status is passed on;
 * anything else (a redirect, a 2xx without the required fields) is a 502.
 */
export function upstreamError(
  ctx: RequestContext,
  action: Auth0Action,
  status: number,
  detail: Record<string, unknown>,
): Response {
  log(ctx, 'AUTH0_UPSTREAM_ERROR', { action, ...detail });
  const passOn = status >= 400 && status <= 599 ? status : 502;
  return renderJsonError(passOn, `Auth0 ${action} failed`, 'AUTH0_UPSTREAM_ERROR');
}

/** No answer: refused, reset, or (504) not within the timeout. */
export function networkError(
  ctx: RequestContext,
  action: Auth0Action,
  result: Extract<ProviderResult, { kind: 'unreachable' }>,
): Response {
  log(ctx, 'AUTH0_NETWORK_ERROR', { action, timedOut: result.timedOut, reason: result.reason });
  return renderJsonError(
    result.timedOut ? 504 : 502,
    `Auth0 ${action} request failed`,
    'AUTH0_NETWORK_ERROR',
  );
}

/** A fault of the gateway itself (a bug, a crypto failure): the flows' catch-all. */
export function internalError(ctx: RequestContext, action: string, error: unknown): Response {
  log(ctx, 'AUTH0_ERROR', { action, reason: error instanceof Error ? error.message : String(error) });
  return renderError('AUTH0_ERROR');
}

/** Maps a provider call that did not answer 2xx to its response; undefined when it did. */
export function failedCall(
  ctx: RequestContext,
  action: Auth0Action,
  result: ProviderResult,
): Response | undefined {
  if (result.kind === 'unreachable') return networkError(ctx, action, result);
  if (result.kind === 'too_large')
    return upstreamError(ctx, action, 502, { reason: 'answer too large', providerStatus: result.status });
  if (result.status >= 200 && result.status < 300) return undefined;
  return upstreamError(ctx, action, result.status, {
    providerStatus: result.status,
    providerError: oauthErrorCode(result.text),
  });
}

/** RFC 6749 §5.2 `error` of a provider answer: a short code, safe to log. */
export function oauthErrorCode(text: string): string | undefined {
  const error = parseJsonObject(text)?.error;
  return typeof error === 'string' && /^[\x20-\x7e]{1,64}$/.test(error) ? error : undefined;
}

/** Headers of every answer that carries tokens (RFC 6749 §5.1). */
export const TOKEN_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  pragma: 'no-cache',
} as const;

function log(ctx: RequestContext, code: string, detail: Record<string, unknown>): void {
  ctx.log.code = code;
  ctx.log.detail = detail;
}
