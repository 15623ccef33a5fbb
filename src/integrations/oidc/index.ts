import type { IntegrationFactory } from '../registry.js';
import { createOidcCallbackIntegration } from './callback.js';
import { createOidcLoginIntegration } from './login.js';
import { createOidcLogoutIntegration } from './logout.js';
import { createOidcRefreshIntegration, createOidcUserinfoIntegration } from './tokens.js';

/** The OpenID Connect flows for the integration registry (docs/FLOWS.md "OpenID Connect"). */
export const OIDC_INTEGRATIONS: Readonly<Record<string, IntegrationFactory>> = {
  oidc_login: createOidcLoginIntegration,
  oidc_callback: createOidcCallbackIntegration,
  oidc_userinfo: createOidcUserinfoIntegration,
  oidc_refresh: createOidcRefreshIntegration,
  oidc_logout: createOidcLogoutIntegration,
};

export { createSessionAuthorizeStep } from './session-step.js';
