import * as oauth from 'oauth4webapi';
import type { RouteConfig } from '../../config/schema.js';
import type { Handler, RequestContext } from '../../context.js';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import { readJsonBody, stringField } from '../identity/request-body.js';
import type { IntegrationDefinition, IntegrationDeps } from '../definition.js';
import { auth0Flows, replayAnswer } from './client.js';
import { failedCall, internalError, TOKEN_HEADERS, tokenStillValid, upstreamError } from './responses.js';

/**
 * `auth0_refresh` (docs/FLOWS.md): the refresh token from `X-Refresh-Token`, else (POST) the
 * JSON body's `refresh_token`. The bearer token is verified by the Auth0 authorizer: valid →
 * `token_still_valid` and no provider call; expired (the signature and every other claim
 * checked out — jose checks `exp` last) → exactly one `refresh_token` grant; any other failure
 * → the auth error table, as on a protected route.
 */
const MAX_REFRESH_TOKEN_LENGTH = 8 * 1024;

/** The authorizer fields this flow sends. */
export const auth0RefreshIntegration: IntegrationDefinition = {
  required: [],
  identityFlow: { provider: 'auth0', authorizerFields: ['client_id', 'client_secret'] },
  create: createAuth0RefreshIntegration,
};

export function createAuth0RefreshIntegration(route: RouteConfig, deps: IntegrationDeps): Handler {
  const flows = auth0Flows(route, deps);
  const action = 'refresh token';
  return async (ctx) => {
    const refreshToken = await readRefreshToken(ctx);
    // Thrown, so the gateway's exit renders the catalogue row and logs its code.
    if (refreshToken === 'too_large') throw new GatewayError('ERR_PAYLOAD_TOO_LARGE');
    if (refreshToken === undefined) throw new GatewayError('missing_refresh_token');
    try {
      ctx.claims = await flows.authorizer.authenticate(ctx.request.headers);
      ctx.log.auth = 'ok';
      return tokenStillValid();
    } catch (error) {
      // Not expired: the table row (with its WWW-Authenticate), rendered by the gateway's exit.
      if (!isGatewayError(error) || error.code !== 'ERR_JWT_EXPIRED') throw error;
      ctx.log.auth = 'expired';
    }
    try {
      const result = await flows.call(ctx, (options) =>
        oauth.refreshTokenGrantRequest(flows.as, flows.client, flows.clientAuth, refreshToken, options),
      );
      const failed = failedCall(ctx, action, result);
      if (failed || result.kind !== 'answer') return failed ?? internalError(ctx, action, 'no answer');
      try {
        await oauth.processRefreshTokenResponse(flows.as, flows.client, replayAnswer(result));
      } catch (error) {
        return upstreamError(ctx, action, 502, {
          reason: error instanceof Error ? error.message : String(error),
        });
      }
      return new Response(result.text, { status: 200, headers: TOKEN_HEADERS });
    } catch (error) {
      return internalError(ctx, action, error);
    }
  };
}

async function readRefreshToken(ctx: RequestContext): Promise<string | 'too_large' | undefined> {
  const header = ctx.request.headers.get('x-refresh-token')?.trim();
  if (header) return header.length <= MAX_REFRESH_TOKEN_LENGTH ? header : undefined;
  if (ctx.method !== 'POST') return undefined;
  const body = await readJsonBody(ctx);
  if (body.kind === 'too_large') return 'too_large';
  return body.kind === 'object'
    ? stringField(body.value, 'refresh_token', MAX_REFRESH_TOKEN_LENGTH)
    : undefined;
}
