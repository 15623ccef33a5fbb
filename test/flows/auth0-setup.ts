import { randomSecret } from '../fixtures/keys.js';
import { startOidcProvider, type OidcProvider } from '../fixtures/oidc-provider.js';

/** Shared by the Auth0 flow tests: the client registered at the local provider and the gateway config. */
export const CLIENT_ID = 'gatehouse-test-client';
export const CLIENT_SECRET = randomSecret();
export const API_AUDIENCE = 'https://api.gatehouse.test';
/** The gateway's public origin; the test browser resolves it to the local gateway. */
export const PUBLIC = 'http://gatehouse.test';
/** The transaction cookie of the top-level authorizer. */
export const COOKIE = 'gatehouse_auth0';

export function auth0Config(domain: string, overrides: Record<string, unknown> = {}) {
  return {
    authorizer: {
      type: 'auth0',
      domain,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uri: `${PUBLIC}/auth/callback`,
      scope: 'openid profile email offline_access',
      audience: API_AUDIENCE,
      timeout_ms: 1000,
      ...overrides,
    },
    paths: [
      { method: 'GET', path: '/auth/login', integration: { type: 'auth0_callback_redirect' } },
      { method: 'GET', path: '/auth/callback', integration: { type: 'auth0_callback' } },
      { method: 'GET', path: '/auth/userinfo', integration: { type: 'auth0_userinfo' } },
      { method: 'POST', path: '/auth/refresh', integration: { type: 'auth0_refresh' } },
      { method: 'GET', path: '/api/me', auth: true, response: { ok: true } },
    ],
  };
}

/** The local provider with the Auth0 tests' client registered and the API's audience. */
export function startAuth0Provider(): Promise<OidcProvider> {
  return startOidcProvider({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, audience: API_AUDIENCE });
}
