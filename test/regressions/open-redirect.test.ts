import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReturnToPolicy } from '../../src/session/return-to.js';
import { startDiscoveryServer, type DiscoveryServer } from '../fixtures/discovery-server.js';
import { startNodeTarget, type GatewayTarget } from '../helpers/targets.js';
import { jsonOf } from '../flows/browser.js';
import { oidcSessionConfig } from '../flows/oidc-setup.js';

/**
 * Open redirects (CWE-601) through the login and logout flows: `return_to` must be on the
 * session's allow-list after URL parsing. Every bypass below is refused with 400
 * OIDC_RETURN_TO_NOT_ALLOWED and no Location header, before the provider is involved.
 */
const ATTACKS = [
  'https://evil.example/',
  '//evil.example/app',
  '/\\evil.example/app',
  '/app/../../evil',
  'https://app.example.evil.example/',
  'https://app.example@evil.example/',
  'https://app.example:444/',
  'http://app.example/',
  'javascript:alert(1)',
  'data:text/html,hi',
  '/application',
  '/app\r\nSet-Cookie: x=1',
  ' https://evil.example',
];

describe('return_to allow-list', () => {
  const policy = createReturnToPolicy(['/app', 'https://app.example/']);
  it.each(ATTACKS)('refuses %j', (attack) => {
    expect(policy.resolve(attack)).toBeUndefined();
  });
  it('accepts what the list names, normalised', () => {
    expect(policy.resolve(null)).toBe('/app');
    expect(policy.resolve('/app')).toBe('/app');
    expect(policy.resolve('/app/x/../settings?tab=1')).toBe('/app/settings?tab=1');
    expect(policy.resolve('https://app.example/dashboard#top')).toBe('https://app.example/dashboard#top');
  });
});

describe('through the gateway', () => {
  let realm: DiscoveryServer;
  let target: GatewayTarget;
  beforeAll(async () => {
    realm = await startDiscoveryServer('/realms/demo', []);
    const config = oidcSessionConfig(
      realm.issuer,
      'http://gatehouse.test',
      'http://127.0.0.1:9',
      {
        post_logout_redirect_uri: undefined,
      },
      { return_to: ['/app', 'https://app.example/'] },
    );
    delete (config.authorizer as Record<string, unknown>).post_logout_redirect_uri;
    target = await startNodeTarget(config, {});
  });
  afterAll(async () => {
    await target?.close();
    await realm?.close();
  });

  it.each(ATTACKS)('login refuses return_to %j without redirecting', async (attack) => {
    const response = await fetch(`${target.url}/auth/login?return_to=${encodeURIComponent(attack)}`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await jsonOf(response)).toMatchObject({ code: 'OIDC_RETURN_TO_NOT_ALLOWED' });
  });

  it('logout refuses a foreign return_to too', async () => {
    const response = await fetch(
      `${target.url}/auth/logout?return_to=${encodeURIComponent('https://evil.example/')}`,
      { redirect: 'manual' },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('an allowed absolute return_to is used as given', async () => {
    const response = await fetch(
      `${target.url}/auth/login?return_to=${encodeURIComponent('https://app.example/inbox')}`,
      { redirect: 'manual' },
    );
    expect(response.status).toBe(302);
    expect(response.headers.get('location')?.startsWith(`${realm.issuer}/protocol/auth?`)).toBe(true);
  });
});
