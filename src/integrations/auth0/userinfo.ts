import * as oauth from 'oauth4webapi';
import { readBearerCredential, MAX_TOKEN_LENGTH } from '../../auth/bearer.js';
import type { RouteConfig } from '../../config/schema.js';
import type { Handler } from '../../context.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { IntegrationDefinition, IntegrationDeps } from '../definition.js';
import { auth0Flows, replayAnswer } from './client.js';
import { failedCall, internalError, TOKEN_HEADERS, upstreamError } from './responses.js';

/**
 * `auth0_userinfo` (docs/FLOWS.md): the access token from `X-Access-Token`, else the bearer
 * token, is sent to the provider's `/userinfo`, which judges it (Auth0 access tokens may be
 * opaque, so the gateway does not verify them itself); its JSON is the answer.
 */
/** The authorizer fields this flow sends. */
export const auth0UserinfoIntegration: IntegrationDefinition = {
  required: [],
  identityFlow: { provider: 'auth0', authorizerFields: [] },
  create: createAuth0UserinfoIntegration,
};

export function createAuth0UserinfoIntegration(route: RouteConfig, deps: IntegrationDeps): Handler {
  const flows = auth0Flows(route, deps);
  const action = 'userinfo';
  return async (ctx) => {
    const token = accessToken(ctx.request.headers);
    if (token === undefined) {
      throw new GatewayError('missing_access_token', { headers: { 'www-authenticate': 'Bearer' } });
    }
    try {
      const result = await flows.call(ctx, (options) =>
        oauth.userInfoRequest(flows.as, flows.client, token, options),
      );
      const failed = failedCall(ctx, action, result);
      if (failed || result.kind !== 'answer') return failed ?? internalError(ctx, action, 'no answer');
      let claims: oauth.UserInfoResponse;
      try {
        claims = await oauth.processUserInfoResponse(
          flows.as,
          flows.client,
          oauth.skipSubjectCheck,
          replayAnswer(result),
        );
      } catch (error) {
        return upstreamError(ctx, action, 502, {
          reason: error instanceof Error ? error.message : String(error),
        });
      }
      return new Response(JSON.stringify(claims), { status: 200, headers: TOKEN_HEADERS });
    } catch (error) {
      return internalError(ctx, action, error);
    }
  };
}

/** RFC 6750 §2.1 `b64token`: what may follow `Bearer ` (opaque, JWS and JWE tokens all fit). */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The token to send, or undefined when there is none usable (absent, malformed, oversized). */
export function accessToken(headers: Headers): string | undefined {
  const explicit = headers.get('x-access-token');
  let token: string;
  if (explicit !== null) {
    token = explicit.trim();
  } else {
    try {
      token = readBearerCredential(headers);
    } catch {
      return undefined;
    }
  }
  return token.length > 0 && token.length <= MAX_TOKEN_LENGTH && B64TOKEN.test(token) ? token : undefined;
}
