import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import type { Browser } from 'playwright-core';
import { exportJWK, generateKeyPair } from 'jose';
import type { RunningGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import {
  startOpenIdProvider,
  type OpenIdProvider,
  type ProviderClient,
} from '../fixtures/openid-provider.js';
import { randomSecret } from '../fixtures/keys.js';
import { gatewayOrigin, localOnly, signInAtProvider, startGatewayAt } from './oidc-setup.js';

/**
 * Each client authentication method against oidc-provider, in Chromium: a login without a
 * session (the callback answers the provider's token JSON, the API-client mode), then
 * `oidc_refresh` with the refresh token and `oidc_userinfo` with the access token. The provider
 * runs under a Keycloak-style path (`/realms/demo`) for one of them: discovery and every
 * endpoint then carry that path.
 */
const CASES = [
  { method: 'private_key_jwt', prefix: '/realms/demo' },
  { method: 'client_secret_post', prefix: '' },
  { method: 'client_secret_basic', prefix: '/realms/demo' },
] as const;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(CASES)('client authentication $method (issuer path "$prefix")', ({ method, prefix }) => {
  let provider: OpenIdProvider;
  let gateway: RunningGatehouse;
  let origin: string;
  const secret = randomSecret();
  let privateJwk: Record<string, unknown> = {};

  beforeAll(async () => {
    origin = await gatewayOrigin();
    const client: ProviderClient = {
      client_id: `client-${method}`,
      redirect_uris: [`${origin}/auth/callback`],
      token_endpoint_auth_method: method,
    };
    if (method === 'private_key_jwt') {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      privateJwk = { ...(await exportJWK(privateKey)), kid: 'client-key', alg: 'RS256' };
      Object.assign(client, {
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'client-key', alg: 'RS256', use: 'sig' }] },
      });
    } else {
      Object.assign(client, { client_secret: secret });
    }
    provider = await startOpenIdProvider({ clients: [client], pathPrefix: prefix });
    gateway = await startGatewayAt(origin, {
      authorizer: {
        type: 'oidc',
        issuer: provider.issuer,
        client_id: client.client_id,
        client_auth: method,
        ...(method === 'private_key_jwt'
          ? { client_private_key: JSON.stringify(privateJwk) }
          : { client_secret: secret }),
        redirect_uri: `${origin}/auth/callback`,
        scopes: ['openid', 'email', 'offline_access'],
        prompt: 'consent',
      },
      paths: [
        { method: 'GET', path: '/auth/login', integration: { type: 'oidc_login' } },
        { method: 'GET', path: '/auth/callback', integration: { type: 'oidc_callback' } },
        { method: 'GET', path: '/auth/userinfo', integration: { type: 'oidc_userinfo' } },
        { method: 'POST', path: '/auth/refresh', integration: { type: 'oidc_refresh' } },
      ],
    });
  });
  afterAll(async () => {
    await gateway?.close(500);
    await provider?.close();
  });

  it('logs in, refreshes and reads userinfo', async () => {
    const context = await browser.newContext();
    await localOnly(context);
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/auth/login`);
      expect(page.url().startsWith(`${provider.issuer}/interaction/`)).toBe(true);
      const { consent } = await signInAtProvider(page, 'carol');
      const [callback] = await Promise.all([
        page.waitForResponse((r) => r.url().startsWith(`${origin}/auth/callback`)),
        consent(),
      ]);
      expect(callback.status()).toBe(200);
      expect(callback.headers()['cache-control']).toBe('no-store');
      const tokens = (await callback.json()) as Record<string, string>;
      expect(typeof tokens.id_token).toBe('string');
      expect(typeof tokens.refresh_token).toBe('string');
      expect(provider.grants).toEqual(['authorization_code']);

      const refreshed = await fetch(`${origin}/auth/refresh`, {
        method: 'POST',
        headers: { 'x-refresh-token': tokens.refresh_token ?? '' },
      });
      expect(refreshed.status).toBe(200);
      const next = (await refreshed.json()) as Record<string, string>;
      expect(next.access_token).not.toBe(tokens.access_token);
      expect(provider.grants).toEqual(['authorization_code', 'refresh_token']);

      const userinfo = await fetch(`${origin}/auth/userinfo`, {
        headers: { authorization: `Bearer ${next.access_token}` },
      });
      expect(userinfo.status).toBe(200);
      expect(await userinfo.json()).toMatchObject({ sub: 'carol', email: 'carol@example.test' });
    } finally {
      await context.close();
    }
  }, 30_000);
});
