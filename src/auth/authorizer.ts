import type { CheckedAuthorizerConfig } from '../config/schema.js';
import { GatewayError } from '../errors/gateway-error.js';
import { assertBearerToken, assertCompactToken, readBearerCredential } from './bearer.js';
import { authFailure } from './errors.js';
import { cleanText } from './format.js';
import { buildReport } from './report.js';
import type { Authorizer, AuthorizerKind } from './types.js';
import { createVerifier, type AuthPlatform, type VerifierOptions } from './verifier.js';

/** One authorizer instance: its kind's settings behind the shared verifier. Built at compile time. */
export function createAuthorizer<C extends CheckedAuthorizerConfig>(
  name: string,
  kind: AuthorizerKind<C>,
  config: C,
  platform: AuthPlatform,
  options: VerifierOptions,
): Authorizer<C> {
  const verifier = createVerifier(name, kind.settings(config), platform, options);
  return {
    name,
    type: kind.type,
    config,
    async authenticate(headers) {
      try {
        // Hot path: header parse and one Map lookup; the token scan and crypto run only on a miss.
        const token = readBearerCredential(headers);
        const now = platform.now();
        const hit = verifier.cached(token, now);
        if (hit) return hit;
        assertBearerToken(token);
        return await verifier.verify(token, now);
      } catch (error) {
        throw onlyGatewayErrors(error, name);
      }
    },
    async verifyToken(token, verifyOptions) {
      try {
        assertCompactToken(token);
        return await verifier.verify(token, platform.now(), verifyOptions?.audience);
      } catch (error) {
        throw onlyGatewayErrors(error, name);
      }
    },
    async explain(token) {
      try {
        return await buildReport(token, verifier, platform.now());
      } catch (error) {
        const message = cleanText(error instanceof Error ? error.message : String(error));
        return { ok: false, checks: [{ name: 'internal', ok: false, message }], code: 'AUTH_ERROR' };
      }
    },
    prefetch: () => verifier.prefetch().catch(() => undefined),
    remoteKeySet: verifier.remoteKeySet,
    keySetProbe: verifier.keySetProbe,
  };
}

/** The contract: an authorization failure is a table row, whatever went wrong inside. */
function onlyGatewayErrors(error: unknown, name: string): GatewayError {
  if (error instanceof GatewayError) return error;
  return authFailure('AUTH_VERIFICATION_FAILED', {
    check: 'internal',
    message: cleanText(error instanceof Error ? error.message : String(error)),
    authorizer: name,
  });
}
