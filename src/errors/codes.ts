/**
 * The one catalogue of errors the gateway generates: code → status, fixed message, extra body
 * fields. Every error response is rendered from this table (see render.ts), so a code always
 * means the same status and the same words. Strings here are part of the public contract
 * (docs/ERRORS.md, shared/spec/auth.md, behaviour.md, integrations.md).
 */
export interface ErrorDefinition {
  readonly status: number;
  readonly message: string;
  /** Fields the Serverless API Gateway sent, kept for compatibility (compat.md row 22). */
  readonly legacyMessage?: boolean;
}

export const ERROR_CATALOGUE = {
  // Request-level errors (behaviour.md "Error bodies").
  ERR_NO_ROUTE: { status: 404, message: 'No match found.', legacyMessage: true },
  ERR_METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  ERR_INTERNAL: { status: 500, message: 'Internal server error', legacyMessage: true },
  ERR_BAD_REQUEST: { status: 400, message: 'Bad request' },
  ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'Payload too large' },
  ERR_URI_TOO_LONG: { status: 414, message: 'URI too long' },
  ERR_HEADERS_TOO_LARGE: { status: 431, message: 'Request header fields too large' },
  ERR_OVERLOADED: { status: 503, message: 'Server is busy' },
  ERR_UPSTREAM_UNAVAILABLE: { status: 502, message: 'Upstream unavailable' },
  ERR_UPSTREAM_TIMEOUT: { status: 504, message: 'Upstream timed out' },
  ERR_CONFIG_INVALID: { status: 500, message: 'Gateway configuration is invalid' },
  ERR_HOOK_FAILED: { status: 500, message: 'Hook failed' },

  // Authorization (auth.md "The error table").
  AUTH_ERROR: { status: 401, message: 'No token provided or token format is invalid.' },
  AUTH_VERIFICATION_FAILED: { status: 401, message: 'JWT verification failed' },
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
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * The public `code` field for a catalogue entry. Two rows of the auth table share the public
 * code `AUTH_ERROR` with different messages, so the catalogue keys them apart internally.
 */
export function publicCode(code: ErrorCode): string {
  return code === 'AUTH_VERIFICATION_FAILED' ? 'AUTH_ERROR' : code;
}
