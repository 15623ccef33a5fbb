/** The authorization module's public surface (auth.md). Runtime-neutral: no node: imports. */
export {
  extractBearerToken,
  readBearerCredential,
  assertBearerToken,
  assertCompactToken,
  MAX_TOKEN_LENGTH,
} from './bearer.js';
export { createAuthorizers, AUTHORIZER_KINDS, type AuthorizerOptions } from './registry.js';
export { requireScopes, tokenScopes } from './scopes.js';
export { lintAuthorizer, lintAuthorizers } from './lint.js';
export {
  authErrorCode,
  CHALLENGE_INVALID_TOKEN,
  CHALLENGE_NO_TOKEN,
  KeySetUnavailableError,
} from './errors.js';
export { auth0BaseUrl, auth0Issuer } from './authorizers/auth0.js';
export {
  DEFAULT_REMOTE_KEY_SET_OPTIONS,
  getRemoteKeySet,
  type RemoteKeySetOptions,
} from './remote-key-set.js';
export { DEFAULT_VERIFICATION_CACHE_OPTIONS, type VerificationCacheOptions } from './cache.js';
export type {
  AuthFailureDetail,
  Authorizer,
  AuthorizerType,
  TokenCheck,
  TokenReport,
  VerifyTokenOptions,
} from './types.js';
