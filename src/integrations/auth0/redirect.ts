import * as oauth from 'oauth4webapi';
import type { RouteConfig } from '../../config/schema.js';
import type { Handler } from '../../context.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { extraAuthorizationParams } from '../../oidc/authorization-params.js';
import type { IntegrationDefinition, IntegrationDeps } from '../definition.js';
import { auth0Flows, type Auth0Flows } from './client.js';
import { internalError } from './responses.js';

/**
 * `auth0_callback_redirect`: sends the browser to the provider's login page (docs/FLOWS.md).
 * `state` is the client's `?state=` when given (an app may carry its own value through the
 * login), else a fresh random one; either way it is bound to this browser with the transaction
 * cookie, together with a PKCE S256 verifier (docs/COMPAT.md row 20). Every parameter is encoded by
 * URLSearchParams.
 */
export const MAX_STATE_LENGTH = 512;

/** The authorizer fields this flow sends (client_secret also keys the state cookie). */
export const auth0RedirectIntegration: IntegrationDefinition = {
  required: [],
  identityFlow: { provider: 'auth0', authorizerFields: ['client_id', 'client_secret', 'redirect_uri'] },
  create: createAuth0RedirectIntegration,
};

export function createAuth0RedirectIntegration(route: RouteConfig, deps: IntegrationDeps): Handler {
  const flows = auth0Flows(route, deps);
  const secureCookie = flows.redirectUri?.startsWith('https:') ?? false;
  return async (ctx) => {
    const given = new URLSearchParams(ctx.search).get('state');
    if (given !== null && given.length > MAX_STATE_LENGTH) {
      throw new GatewayError('invalid_state', {
        detail: { reason: `state longer than ${MAX_STATE_LENGTH} characters` },
      });
    }
    try {
      const state = given || oauth.generateRandomState();
      const verifier = oauth.generateRandomCodeVerifier();
      const challenge = await oauth.calculatePKCECodeChallenge(verifier);
      // Secure when this request, or the callback the provider will send the browser to, is https
      // (behind a TLS-terminating proxy the gateway itself may only see http).
      const secure = secureCookie || ctx.client.protocol === 'https';
      const cookie = await flows.cookies.issue({ state, verifier }, secure);
      return new Response(null, {
        status: 302,
        headers: {
          location: authorizationUrl(flows, state, challenge),
          'set-cookie': cookie,
          'cache-control': 'no-store',
        },
      });
    } catch (error) {
      return internalError(ctx, 'authorize redirect', error);
    }
  };
}

/** `https://{domain}/authorize?response_type=code&client_id=…&redirect_uri=…&scope=…&state=…` + PKCE. */
export function authorizationUrl(flows: Auth0Flows, state: string, challenge: string): string {
  const url = new URL(flows.as.authorization_endpoint ?? '');
  const params = url.searchParams;
  // (ext) prompt, login_hint, organization, … (the oidc type's parameters); the flow's own win.
  for (const [name, value] of extraAuthorizationParams(flows.authorizer.config)) params.set(name, value);
  params.set('response_type', 'code');
  params.set('client_id', flows.clientId);
  params.set('redirect_uri', flows.redirectUri ?? '');
  params.set('scope', flows.scope);
  params.set('state', state);
  params.set('code_challenge', challenge);
  params.set('code_challenge_method', 'S256');
  if (flows.audience !== undefined) params.set('audience', flows.audience);
  return url.href;
}
