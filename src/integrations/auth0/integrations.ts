import { Type, type Static, type TObject } from '@sinclair/typebox';
import { Hook, type IntegrationConfig } from '../../config/schema.js';
import type { IntegrationDefinition, ResolvedHook } from '../definition.js';
import { callbackHandler } from '../oidc/callback.js';
import { loginHandler } from '../oidc/login.js';
import { refreshHandler, userinfoHandler } from '../oidc/tokens.js';
import { requireFlowAuthorizer } from '../identity/authorizer.js';
import { AUTH0_LOGIN_AUTHORIZER_FIELDS } from '../identity/login-fields.js';
import { auth0Flows, auth0FlowsOf, auth0LoginFlows, withInternalErrors } from './preset.js';

/**
 * The four Auth0 integration types (docs/FLOWS.md "Auth0"): the OpenID Connect flows' handlers
 * over the `auth0` preset (preset.ts). `identityFlow.authorizerFields` names the authorizer
 * fields each flow sends (client_secret also keys the transaction cookie).
 */
export const auth0RedirectIntegration: IntegrationDefinition = {
  fields: {},
  identityFlow: { provider: 'auth0', authorizerFields: AUTH0_LOGIN_AUTHORIZER_FIELDS },
  create: (route, deps) => {
    const authorizer = requireFlowAuthorizer(route, deps, 'auth0', AUTH0_LOGIN_AUTHORIZER_FIELDS);
    const login = auth0LoginFlows(authorizer, deps.platform);
    return withInternalErrors('authorize redirect', loginHandler(auth0FlowsOf(authorizer, deps), login));
  },
};

/** `auth0_callback`'s schema part: a binding function called after a successful login (post-login.ts). */
const AUTH0_CALLBACK_FIELDS = { post_process: Type.Optional(Hook) };
type Auth0CallbackFields = Static<TObject<typeof AUTH0_CALLBACK_FIELDS>>;
declare module '../../config/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the part's fields
  interface IntegrationFields extends Auth0CallbackFields {}
}

export const auth0CallbackIntegration: IntegrationDefinition<IntegrationConfig, ResolvedHook | undefined> = {
  fields: AUTH0_CALLBACK_FIELDS,
  reference: { field: 'post_process', table: 'serviceBindings' },
  identityFlow: { provider: 'auth0', authorizerFields: AUTH0_LOGIN_AUTHORIZER_FIELDS },
  create: (route, deps, postProcess) => {
    const authorizer = requireFlowAuthorizer(route, deps, 'auth0', AUTH0_LOGIN_AUTHORIZER_FIELDS);
    const login = auth0LoginFlows(authorizer, deps.platform);
    const flows = auth0FlowsOf(authorizer, deps);
    return withInternalErrors('token exchange', callbackHandler(flows, login, route, deps, postProcess));
  },
};

export const auth0UserinfoIntegration: IntegrationDefinition = {
  fields: {},
  identityFlow: { provider: 'auth0', authorizerFields: [] },
  create: (route, deps) => withInternalErrors('userinfo', userinfoHandler(auth0Flows(route, deps))),
};

export const auth0RefreshIntegration: IntegrationDefinition = {
  fields: {},
  identityFlow: { provider: 'auth0', authorizerFields: ['client_id', 'client_secret'] },
  create: (route, deps) => withInternalErrors('refresh token', refreshHandler(auth0Flows(route, deps))),
};
