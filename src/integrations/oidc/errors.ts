import type { RequestContext } from '../../context.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { renderErrorWithFields } from '../../errors/render.js';
import { parseJsonObject, type ProviderResult } from '../identity/provider-call.js';

/**
 * How the `oidc_*` flows fail (docs/ERRORS.md "OpenID Connect and sessions"): every answer is a
 * catalogue row; the log line's `detail` names the action, the provider's status and OAuth error
 * code — never a code, token or secret.
 */
export type OidcAction = 'discovery' | 'token exchange' | 'userinfo' | 'refresh token' | 'logout';

/** A provider call that did not answer 2xx, as the GatewayError to throw; undefined when it did. */
export function providerFailure(action: OidcAction, result: ProviderResult): GatewayError | undefined {
  if (result.kind === 'unreachable') {
    return new GatewayError(result.timedOut ? 'OIDC_PROVIDER_TIMEOUT' : 'OIDC_PROVIDER_UNREACHABLE', {
      detail: { action, reason: result.reason },
    });
  }
  if (result.kind === 'too_large') {
    return new GatewayError('OIDC_PROVIDER_REFUSED', {
      detail: { action, reason: 'answer too large', providerStatus: result.status },
    });
  }
  if (result.status >= 200 && result.status < 300) return undefined;
  return new GatewayError('OIDC_PROVIDER_REFUSED', {
    detail: { action, providerStatus: result.status, providerError: oauthErrorCode(result.text) },
  });
}

/** RFC 6749 §5.2 `error` of a provider answer: a short code, safe to log. */
export function oauthErrorCode(text: string): string | undefined {
  return safeCode(parseJsonObject(text)?.error);
}

/** A printable ASCII code of at most 64 characters (an OAuth `error`), else undefined. */
export function safeCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\x20-\x7e]{1,64}$/.test(value) ? value : undefined;
}

/** An `error_description`: printable, at most 300 characters (RFC 6749 §4.1.2.1 limits its charset). */
export function safeDescription(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\x20-\x7e]{1,300}$/.test(value) ? value : undefined;
}

/** The library's message names the failed check; it never contains a token. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A login the provider refused, when no return URL is known: the catalogue row with its code. */
export function loginFailed(
  ctx: RequestContext,
  providerError: string,
  description: string | undefined,
): Response {
  ctx.log.code = 'OIDC_LOGIN_FAILED';
  ctx.log.detail = { providerError };
  return renderErrorWithFields(
    'OIDC_LOGIN_FAILED',
    {
      provider_error: providerError,
      ...(description === undefined ? {} : { provider_error_description: description }),
    },
    { 'cache-control': 'no-store' },
  );
}

/** Headers of every answer that carries tokens (RFC 6749 §5.1). */
export const TOKEN_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  pragma: 'no-cache',
} as const;
