import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../../src/config/problems.js';
import type { OidcProvider } from '../fixtures/oidc-provider.js';
import { startNodeTarget } from '../helpers/targets.js';
import { auth0Config, PUBLIC, startAuth0Provider } from './auth0-setup.js';
import { Browser } from './browser.js';

/**
 * Flow routes are compiled fail-closed: a route that cannot resolve its authorizer, or whose
 * authorizer lacks a field the flow sends, refuses the config (the gateway does not start).
 * And on a flow route `auth` selects the authorizer; it does not demand a bearer token.
 */
async function refusal(config: object): Promise<string[]> {
  try {
    const target = await startNodeTarget(config, {});
    await target.close();
  } catch (error) {
    if (error instanceof ConfigInvalidError) return error.problems.map((p) => `${p.pointer}: ${p.message}`);
    throw error;
  }
  throw new Error('config was accepted');
}

describe('compile-time refusal', () => {
  it('a flow route without an authorizer of its type', async () => {
    const problems = await refusal({
      authorizer: { type: 'jwt', secret: 'x'.repeat(32) },
      paths: [{ method: 'GET', path: '/callback', integration: { type: 'auth0_callback' } }],
    });
    expect(problems).toEqual([
      '/paths/0/integration/type: auth0_callback needs an authorizer of type "auth0" (top-level "authorizer", or one in "authorizers"), and the config has none',
    ]);
  });

  it('two auth0 authorizers and no auth naming one', async () => {
    const problems = await refusal({
      authorizers: {
        eu: {
          type: 'auth0',
          domain: 'eu.example.com',
          client_id: 'a',
          client_secret: 's',
          redirect_uri: 'https://a/cb',
        },
        us: {
          type: 'auth0',
          domain: 'us.example.com',
          client_id: 'a',
          client_secret: 's',
          redirect_uri: 'https://a/cb',
        },
      },
      paths: [{ method: 'GET', path: '/login', integration: { type: 'auth0_callback_redirect' } }],
    });
    expect(problems[0]).toMatch(/^\/paths\/0\/auth: .*name one with "auth"/);
  });

  it('an auth0 authorizer without the fields the flow sends', async () => {
    const problems = await refusal({
      authorizer: { type: 'auth0', domain: 'tenant.auth0.com', client_id: 'a' },
      paths: [{ method: 'GET', path: '/callback', integration: { type: 'auth0_callback' } }],
    });
    expect(problems).toEqual([
      '/authorizer/client_secret: is required by the auth0_callback route at /paths/0',
      '/authorizer/redirect_uri: is required by the auth0_callback route at /paths/0',
    ]);
  });
});

describe('auth on a flow route selects the authorizer', () => {
  let provider: OidcProvider;
  beforeAll(async () => {
    provider = await startAuth0Provider();
  });
  afterAll(async () => {
    await provider?.close();
  });

  it('the named authorizer logs the browser in, without a bearer token', async () => {
    const base = auth0Config(provider.url);
    const config = {
      authorizers: { login: base.authorizer, other: { ...base.authorizer, domain: 'other.example.com' } },
      paths: [
        {
          method: 'GET',
          path: '/auth/login',
          auth: 'login',
          integration: { type: 'auth0_callback_redirect' },
        },
        { method: 'GET', path: '/auth/callback', auth: 'login', integration: { type: 'auth0_callback' } },
      ],
    };
    const target = await startNodeTarget(config, {});
    try {
      const browser = new Browser({ [PUBLIC]: target.url });
      const start = await browser.get(`${PUBLIC}/auth/login`);
      expect(start.status).toBe(302);
      expect(start.headers.get('location')).toContain(`${provider.url}/authorize?`);
      expect(start.headers.getSetCookie()[0]).toMatch(/^gatehouse_auth0_login=/);
      const callbackUrl =
        (await browser.get(start.headers.get('location') ?? '')).headers.get('location') ?? '';
      expect((await browser.get(callbackUrl)).status).toBe(200);
    } finally {
      await target.close();
    }
  });
});
