import type { IntegrationDefinition } from '../definition.js';
import { callbackHandler } from '../oidc/callback.js';
import { loginHandler } from '../oidc/login.js';
import { refreshHandler, userinfoHandler } from '../oidc/tokens.js';
import { auth0Flows, withInternalErrors } from './preset.js';

/**
 * The four Auth0 integration types (docs/FLOWS.md "Auth0"): the OpenID Connect flows' handlers
 * over the `auth0` preset (preset.ts). `identityFlow.authorizerFields` names the authorizer
 * fields each flow sends (client_secret also keys the transaction cookie).
 */
export const auth0RedirectIntegration: IntegrationDefinition = {
  required: [],
  identityFlow: { provider: 'auth0', authorizerFields: ['client_id', 'client_secret', 'redirect_uri'] },
  create: (route, deps) => withInternalErrors('authorize redirect', loginHandler(auth0Flows(route, deps))),
};

export const auth0CallbackIntegration: IntegrationDefinition = {
  required: [],
  identityFlow: { provider: 'auth0', authorizerFields: ['client_id', 'client_secret', 'redirect_uri'] },
  create: (route, deps) =>
    withInternalErrors('token exchange', callbackHandler(auth0Flows(route, deps), route, deps)),
};

export const auth0UserinfoIntegration: IntegrationDefinition = {
  required: [],
  identityFlow: { provider: 'auth0', authorizerFields: [] },
  create: (route, deps) => withInternalErrors('userinfo', userinfoHandler(auth0Flows(route, deps))),
};

export const auth0RefreshIntegration: IntegrationDefinition = {
  required: [],
  identityFlow: { provider: 'auth0', authorizerFields: ['client_id', 'client_secret'] },
  create: (route, deps) => withInternalErrors('refresh token', refreshHandler(auth0Flows(route, deps))),
};
