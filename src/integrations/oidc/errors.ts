import type { ErrorCode } from '../../errors/codes.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { parseJsonObject, type ProviderResult } from '../identity/provider-call.js';

/**
 * How the provider flows fail (docs/ERRORS.md "OpenID Connect and sessions", docs/FLOWS.md
 * "Auth0"): every answer is a catalogue row, thrown as a GatewayError so the gateway's exit
 * renders it and the access log carries its code; the log line's `detail` names the action, the
 * provider's status and OAuth error code — never a code, token or secret. A preset names its own
 * rows (the `auth0` preset keeps the codes the Serverless API Gateway used).
 */
export type OidcAction = 'discovery' | 'token exchange' | 'userinfo' | 'refresh token' | 'logout';

export interface FlowErrors {
  readonly missingCode: ErrorCode;
  readonly invalidState: ErrorCode;
  /** The callback's RFC 9207 `iss` names another issuer. */
  readonly issuerMismatch: ErrorCode;
  readonly missingAccessToken: ErrorCode;
  readonly missingRefreshToken: ErrorCode;
  /** A provider call that did not answer 2xx, as the error to throw; undefined when it did. */
  providerFailure(action: OidcAction, result: ProviderResult): GatewayError | undefined;
  /** The provider answered 2xx, but not with what the flow needs (no JSON, no or a bad ID token). */
  invalidAnswer(action: OidcAction, idToken: boolean, detail: Record<string, unknown>): GatewayError;
}

/** The `oidc` type's rows. */
export const OIDC_ERRORS: FlowErrors = {
  missingCode: 'OIDC_MISSING_CODE',
  invalidState: 'OIDC_INVALID_STATE',
  issuerMismatch: 'OIDC_ISSUER_MISMATCH',
  missingAccessToken: 'OIDC_MISSING_ACCESS_TOKEN',
  missingRefreshToken: 'OIDC_MISSING_REFRESH_TOKEN',
  providerFailure: (action, result) =>
    classifyProviderResult(action, result, {
      unreachable: 'OIDC_PROVIDER_UNREACHABLE',
      timeout: 'OIDC_PROVIDER_TIMEOUT',
      refused: 'OIDC_PROVIDER_REFUSED',
    }),
  invalidAnswer: (action, idToken, detail) =>
    new GatewayError(idToken ? 'OIDC_ID_TOKEN_INVALID' : 'OIDC_PROVIDER_REFUSED', {
      detail: { action, ...detail },
    }),
};

/** The rows one action's provider failures map to. */
export interface ProviderFailureCodes {
  readonly unreachable: ErrorCode;
  readonly timeout: ErrorCode;
  /** A 4xx/5xx answer, a redirect, an oversized answer; the provider's status rides along. */
  readonly refused: ErrorCode;
}

/**
 * A provider result that is not a 2xx answer as the GatewayError to throw. The provider's status
 * is carried as the error's variation: rows that pass it on (`passesProviderStatus`) answer with
 * it when it is 4xx/5xx; other rows keep their own status.
 */
export function classifyProviderResult(
  action: OidcAction,
  result: ProviderResult,
  codes: ProviderFailureCodes,
): GatewayError | undefined {
  if (result.kind === 'unreachable') {
    return new GatewayError(result.timedOut ? codes.timeout : codes.unreachable, {
      detail: { action, timedOut: result.timedOut, reason: result.reason },
    });
  }
  if (result.kind === 'too_large') {
    return new GatewayError(codes.refused, {
      detail: { action, reason: 'answer too large', providerStatus: result.status },
    });
  }
  if (result.status >= 200 && result.status < 300) return undefined;
  return new GatewayError(codes.refused, {
    detail: { action, providerStatus: result.status, providerError: oauthErrorCode(result.text) },
    variation: { status: result.status },
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

/** A login the provider refused, when no return URL is known: the row with the provider's code. */
export function loginFailed(providerError: string, description: string | undefined): GatewayError {
  return new GatewayError('OIDC_LOGIN_FAILED', {
    detail: { providerError },
    headers: { 'cache-control': 'no-store' },
    variation: {
      fields: {
        provider_error: providerError,
        ...(description === undefined ? {} : { provider_error_description: description }),
      },
    },
  });
}

/** Headers of every answer that carries tokens (RFC 6749 §5.1). */
export const TOKEN_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  pragma: 'no-cache',
} as const;
