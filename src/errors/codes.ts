/**
 * The one catalogue of errors the gateway generates: code → status, fixed message, extra body
 * fields. Every error response is rendered from this table (see render.ts), so a code always
 * means the same status and the same words. Strings here are part of the public contract
 * (docs/ERRORS.md, docs/AUTH.md, docs/BEHAVIOUR.md, docs/CONFIG.md "Services, service bindings and hooks").
 */
export interface ErrorDefinition {
  readonly status: number;
  readonly message: string;
  /** Fields the Serverless API Gateway sent, kept for compatibility (docs/COMPAT.md row 22). */
  readonly legacyMessage?: boolean;
  /** The public `code` of the body, when two rows share one (default: the row's key). */
  readonly code?: string;
  /**
   * (flows) The identity provider's own 4xx/5xx status is answered in place of `status` when the
   * error carries one (docs/ERRORS.md "Provider statuses and words"); anything else keeps `status`.
   */
  readonly passesProviderStatus?: boolean;
  /** (flows) The body's `error` is the provider's own (cleaned) words when the error carries them. */
  readonly passesProviderMessage?: boolean;
  /** (flows) Extra body fields this row may carry, filled per answer (the provider's `error` code). */
  readonly fields?: readonly string[];
}

export const ERROR_CATALOGUE = {
  // Request-level errors (docs/ERRORS.md).
  ERR_NO_ROUTE: { status: 404, message: 'No match found.', legacyMessage: true },
  ERR_METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  ERR_INTERNAL: { status: 500, message: 'Internal server error', legacyMessage: true },
  ERR_BAD_REQUEST: { status: 400, message: 'Bad request' },
  ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'Payload too large' },
  ERR_URI_TOO_LONG: { status: 414, message: 'URI too long' },
  ERR_HEADERS_TOO_LARGE: { status: 431, message: 'Request header fields too large' },
  ERR_REQUEST_TIMEOUT: { status: 408, message: 'Request timeout' },
  ERR_OVERLOADED: { status: 503, message: 'Server is busy' },
  ERR_UPSTREAM_UNAVAILABLE: { status: 502, message: 'Upstream unavailable' },
  ERR_UPSTREAM_TIMEOUT: { status: 504, message: 'Upstream timed out' },
  // Every URL of a pool is unhealthy or behind an open breaker (docs/PROTOCOLS.md "Upstream pools").
  ERR_UPSTREAM_POOL_DOWN: { status: 503, message: 'No upstream available', code: 'ERR_UPSTREAM_UNAVAILABLE' },
  ERR_CONFIG_INVALID: { status: 500, message: 'Gateway configuration is invalid' },
  ERR_HOOK_FAILED: { status: 500, message: 'Hook failed' },
  // The client left before its answer: logged (status 499), never read (docs/ERRORS.md).
  CLIENT_CLOSED_REQUEST: { status: 499, message: 'Client closed request' },
  // WebSocket upgrades (docs/PROTOCOLS.md).
  ERR_WEBSOCKET_DISABLED: { status: 426, message: 'WebSocket upgrades are not enabled on this route' },
  ERR_UPSTREAM_UPGRADE_REFUSED: { status: 502, message: 'Upstream refused the WebSocket upgrade' },
  // Hostile input and protocol edges (docs/BEHAVIOUR.md "Hostile input").
  ERR_NOT_IMPLEMENTED: { status: 501, message: 'Not implemented' },
  ERR_SHUTTING_DOWN: { status: 503, message: 'Server is shutting down' },
  ERR_UPSTREAM_HEADERS_TOO_LARGE: { status: 502, message: 'Upstream response headers too large' },

  // Authorization (docs/ERRORS.md "Authorization errors").
  AUTH_ERROR: { status: 401, message: 'No token provided or token format is invalid.' },
  AUTH_VERIFICATION_FAILED: { status: 401, message: 'JWT verification failed', code: 'AUTH_ERROR' },
  ERR_JOSE_ALG_NOT_ALLOWED: { status: 401, message: 'Algorithm not allowed' },
  ERR_JWE_DECRYPTION_FAILED: { status: 401, message: 'Decryption failed' },
  ERR_JWE_INVALID: { status: 401, message: 'Invalid JWE' },
  ERR_JWT_EXPIRED: { status: 401, message: 'Token has expired.' },
  ERR_JWT_CLAIM_VALIDATION_FAILED: { status: 401, message: 'JWT claim validation failed' },
  ERR_JWT_INVALID: { status: 401, message: 'Invalid JWT' },
  ERR_JWKS_NO_MATCHING_KEY: { status: 401, message: 'No matching key found in JWKS.' },
  ERR_JWKS_INVALID: { status: 401, message: 'Invalid JWKS' },
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: { status: 401, message: 'Multiple matching keys found in JWKS.' },
  ERR_JWS_INVALID: { status: 401, message: 'Invalid JWS' },
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: { status: 401, message: 'Signature verification failed' },
  ERR_JWKS_UNAVAILABLE: { status: 401, message: 'Unable to fetch signing keys' },
  ERR_INSUFFICIENT_SCOPE: { status: 403, message: 'Insufficient scope' },

  // Traffic control (docs/TRAFFIC.md).
  ERR_RATE_LIMITED: { status: 429, message: 'Too many requests' },
  ERR_RATE_LIMIT_UNAVAILABLE: { status: 503, message: 'Rate limit store unavailable' },
  ERR_API_KEY_MISSING: { status: 401, message: 'No API key provided' },
  ERR_API_KEY_INVALID: { status: 401, message: 'Invalid API key' },

  // Identity flows (docs/FLOWS.md), with the codes the Serverless API Gateway used.
  missing_code: { status: 400, message: 'Missing authorization code' },
  invalid_state: { status: 400, message: 'Invalid or missing state' },
  invalid_issuer: { status: 400, message: 'Invalid issuer' },
  missing_access_token: { status: 401, message: 'Missing bearer token' },
  missing_refresh_token: { status: 400, message: 'Missing refresh token' },
  AUTH0_ERROR: { status: 500, message: 'Internal Server Error' },
  SUPABASE_ENV_MISSING: { status: 500, message: 'Supabase environment is not configured.' },
  invalid_json: { status: 400, message: 'Request body must be JSON' },
  missing_email_or_phone: { status: 400, message: 'Missing email or phone' },
  missing_token_or_contact: { status: 400, message: 'Missing token, email, or phone' },
  missing_email: { status: 400, message: 'Missing email - alternative method only supports email' },
  SUPABASE_OTP_VERIFY_FAILED: { status: 401, message: 'OTP verification failed' },
  SUPABASE_UPSTREAM_ERROR: { status: 502, message: 'Supabase Auth failed' },
  SUPABASE_NETWORK_ERROR: { status: 502, message: 'Supabase Auth request failed' },
  SUPABASE_NETWORK_TIMEOUT: {
    status: 504,
    message: 'Supabase Auth request failed',
    code: 'SUPABASE_NETWORK_ERROR',
  },
  // Supabase refused to send (docs/FLOWS.md "Supabase"): 400 with GoTrue's own message.
  SUPABASE_OTP_SEND_FAILED: { status: 400, message: 'Failed to send OTP', passesProviderMessage: true },
  SUPABASE_OTP_ALT_FAILED: {
    status: 400,
    message: 'Failed to send confirmation email',
    passesProviderMessage: true,
  },
  // Auth0 provider calls (docs/FLOWS.md "Auth0"): a provider 4xx/5xx is passed on with its status,
  // any other unusable answer is 502; no answer is 502, or 504 past timeout_ms.
  AUTH0_TOKEN_EXCHANGE_FAILED: {
    status: 502,
    message: 'Auth0 token exchange failed',
    code: 'AUTH0_UPSTREAM_ERROR',
    passesProviderStatus: true,
  },
  AUTH0_USERINFO_FAILED: {
    status: 502,
    message: 'Auth0 userinfo failed',
    code: 'AUTH0_UPSTREAM_ERROR',
    passesProviderStatus: true,
  },
  AUTH0_REFRESH_FAILED: {
    status: 502,
    message: 'Auth0 refresh token failed',
    code: 'AUTH0_UPSTREAM_ERROR',
    passesProviderStatus: true,
  },
  AUTH0_TOKEN_EXCHANGE_UNREACHABLE: {
    status: 502,
    message: 'Auth0 token exchange request failed',
    code: 'AUTH0_NETWORK_ERROR',
  },
  AUTH0_TOKEN_EXCHANGE_TIMEOUT: {
    status: 504,
    message: 'Auth0 token exchange request failed',
    code: 'AUTH0_NETWORK_ERROR',
  },
  AUTH0_USERINFO_UNREACHABLE: {
    status: 502,
    message: 'Auth0 userinfo request failed',
    code: 'AUTH0_NETWORK_ERROR',
  },
  AUTH0_USERINFO_TIMEOUT: {
    status: 504,
    message: 'Auth0 userinfo request failed',
    code: 'AUTH0_NETWORK_ERROR',
  },
  AUTH0_REFRESH_UNREACHABLE: {
    status: 502,
    message: 'Auth0 refresh token request failed',
    code: 'AUTH0_NETWORK_ERROR',
  },
  AUTH0_REFRESH_TIMEOUT: {
    status: 504,
    message: 'Auth0 refresh token request failed',
    code: 'AUTH0_NETWORK_ERROR',
  },
  // The admin listener's web console (docs/CONSOLE.md "Security model").
  ERR_ADMIN_UNAUTHORIZED: { status: 401, message: 'Admin token required' },
  ERR_CONSOLE_NOT_BUILT: { status: 503, message: 'Console assets are not built: run npm run build' },
  // OpenID Connect flows and browser sessions (docs/ERRORS.md "OpenID Connect and sessions").
  OIDC_DISCOVERY_FAILED: { status: 502, message: 'OpenID provider discovery failed' },
  OIDC_ISSUER_MISMATCH: {
    status: 502,
    message: 'OpenID provider issuer does not match the configured issuer',
  },
  OIDC_PROVIDER_UNREACHABLE: { status: 502, message: 'OpenID provider unreachable' },
  OIDC_PROVIDER_TIMEOUT: { status: 504, message: 'OpenID provider timed out' },
  OIDC_PROVIDER_REFUSED: { status: 502, message: 'OpenID provider refused the request' },
  OIDC_ID_TOKEN_INVALID: { status: 502, message: 'OpenID provider sent an invalid ID token' },
  OIDC_LOGIN_FAILED: {
    status: 400,
    message: 'The identity provider did not complete the login',
    fields: ['provider_error', 'provider_error_description'],
  },
  OIDC_MISSING_CODE: { status: 400, message: 'Missing authorization code' },
  OIDC_INVALID_STATE: { status: 400, message: 'Invalid or missing state' },
  OIDC_RETURN_TO_NOT_ALLOWED: { status: 400, message: 'return_to is not an allowed URL' },
  OIDC_MISSING_ACCESS_TOKEN: { status: 401, message: 'Missing access token' },
  OIDC_MISSING_REFRESH_TOKEN: { status: 400, message: 'Missing refresh token' },
  SESSION_EXPIRED: { status: 401, message: 'Session expired; log in again' },
  SESSION_CSRF_REJECTED: { status: 403, message: 'Cross-site request refused' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * The public `code` field for a catalogue entry. Some rows share a public code with different
 * messages or statuses (two rows of the auth table are both `AUTH_ERROR`), so the catalogue keys
 * them apart internally.
 */
export function publicCode(code: ErrorCode): string {
  const def: ErrorDefinition = ERROR_CATALOGUE[code];
  return def.code ?? code;
}

/** The row of a code, typed as the general definition (optional fields readable). */
export function errorDefinition(code: ErrorCode): ErrorDefinition {
  return ERROR_CATALOGUE[code];
}
