import { randomSecret } from '../fixtures/keys.js';
import { inlineConfigSource, startGatehouse, type RunningGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import { closedPort } from './browser.js';

/** Shared by the OpenID Connect flow tests: the web app's client and the gateway config. */
export const WEB_CLIENT_ID = 'web-app';
export const WEB_CLIENT_SECRET = randomSecret();

/** A free port for the gateway, so its redirect_uri is known before the provider starts. */
export async function gatewayOrigin(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}`;
}

export function oidcSessionConfig(
  issuer: string,
  origin: string,
  upstream: string,
  authorizer: Record<string, unknown> = {},
  session: Record<string, unknown> = {},
) {
  return {
    servers: [{ alias: 'api', url: upstream }],
    authorizer: {
      type: 'oidc',
      issuer,
      client_id: WEB_CLIENT_ID,
      client_secret: WEB_CLIENT_SECRET,
      redirect_uri: `${origin}/auth/callback`,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      prompt: 'consent',
      post_logout_redirect_uri: `${origin}/app/logged-out`,
      timeout_ms: 3000,
      ...authorizer,
    },
    paths: [
      {
        method: 'GET',
        path: '/auth/login',
        integration: { type: 'oidc_login', session: { return_to: ['/app'], ...session } },
      },
      { method: 'GET', path: '/auth/callback', integration: { type: 'oidc_callback' } },
      { method: 'GET', path: '/auth/userinfo', integration: { type: 'oidc_userinfo' } },
      { method: 'POST', path: '/auth/refresh', integration: { type: 'oidc_refresh' } },
      { method: 'GET', path: '/auth/logout', integration: { type: 'oidc_logout' } },
      { method: 'GET', path: '/app', response: { page: 'app' } },
      { method: 'GET', path: '/app/logged-out', response: { page: 'logged out' } },
      { method: 'ANY', path: '/api/{.+}', auth: true, integration: { type: 'http_proxy', server: 'api' } },
    ],
  };
}

export async function startGatewayAt(origin: string, config: object): Promise<RunningGatehouse> {
  return startGatehouse({ source: inlineConfigSource(config), env: {}, port: Number(new URL(origin).port) });
}
