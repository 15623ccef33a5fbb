import type { IntegrationFactory } from '../registry.js';
import { createAuth0CallbackIntegration } from './callback.js';
import { createAuth0RedirectIntegration } from './redirect.js';
import { createAuth0RefreshIntegration } from './refresh.js';
import { createAuth0UserinfoIntegration } from './userinfo.js';

/** The Auth0 flows for the integration registry (docs/FLOWS.md). */
export const AUTH0_INTEGRATIONS: Readonly<Record<string, IntegrationFactory>> = {
  auth0_callback_redirect: createAuth0RedirectIntegration,
  auth0_callback: createAuth0CallbackIntegration,
  auth0_userinfo: createAuth0UserinfoIntegration,
  auth0_refresh: createAuth0RefreshIntegration,
};

export {
  createAuth0CallbackIntegration,
  createAuth0RedirectIntegration,
  createAuth0RefreshIntegration,
  createAuth0UserinfoIntegration,
};
export { transactionCookieName, TRANSACTION_MAX_AGE_SECONDS } from './transaction-cookie.js';
