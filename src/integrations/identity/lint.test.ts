import { describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../config/schema.js';
import { lintIdentityFlows } from './lint.js';

const login = {
  type: 'auth0',
  domain: 'tenant.eu.auth0.com',
  client_id: 'client',
  client_secret: 'secret-secret-secret',
  redirect_uri: 'https://api.example.com/auth/callback',
  scope: 'openid profile',
};

function config(partial: Partial<GatewayConfig>): GatewayConfig {
  return { paths: [], ...partial } as GatewayConfig;
}

describe('lintIdentityFlows', () => {
  it('accepts a complete Auth0 setup', () => {
    const problems = lintIdentityFlows(
      config({
        authorizer: login,
        paths: [
          { method: 'GET', path: '/login', integration: { type: 'auth0_callback_redirect' } },
          { method: 'GET', path: '/callback', integration: { type: 'auth0_callback' } },
          { method: 'GET', path: '/me', integration: { type: 'auth0_userinfo' } },
          { method: 'POST', path: '/refresh', integration: { type: 'auth0_refresh' } },
        ],
      }),
    );
    expect(problems).toEqual([]);
  });

  it('refuses an auth0 flow route without a suitable authorizer (COMPAT.md row 26)', () => {
    const problems = lintIdentityFlows(
      config({
        authorizer: { type: 'jwt', secret: 'x'.repeat(32) },
        paths: [{ method: 'GET', path: '/profile', integration: { type: 'auth0_userinfo' } }],
      }),
    );
    expect(problems).toEqual([
      {
        pointer: '/paths/0/integration/type',
        severity: 'error',
        message:
          'auth0_userinfo needs an authorizer of type "auth0" (top-level "authorizer", or one in "authorizers"), and the config has none',
      },
    ]);
  });

  it('accepts a supabase flow with no supabase authorizer: the environment is enough (SAG)', () => {
    const route = {
      method: 'POST',
      path: '/otp',
      integration: { type: 'supabase_passwordless_auth' },
    } as const;
    expect(
      lintIdentityFlows(config({ authorizer: { type: 'jwt', secret: 'x'.repeat(32) }, paths: [route] })),
    ).toEqual([]);
    // A route that selects an authorizer still needs it to be a supabase one.
    const selecting = lintIdentityFlows(
      config({ authorizer: { type: 'jwt', secret: 'x'.repeat(32) }, paths: [{ ...route, auth: true }] }),
    );
    expect(selecting.map((p) => p.pointer)).toEqual(['/paths/0/auth']);
  });

  it('names each missing authorizer field once, at the authorizer', () => {
    const problems = lintIdentityFlows(
      config({
        authorizers: { login: { type: 'auth0', domain: 'tenant.auth0.com' } },
        paths: [
          { method: 'GET', path: '/login', integration: { type: 'auth0_callback_redirect' } },
          { method: 'GET', path: '/me', integration: { type: 'auth0_userinfo' } },
          { method: 'POST', path: '/refresh', integration: { type: 'auth0_refresh' } },
        ],
      }),
    );
    expect(problems.map((p) => `${p.severity} ${p.pointer}: ${p.message}`)).toEqual([
      'error /authorizers/login/client_id: is required by the auth0_callback_redirect route at /paths/0',
      'error /authorizers/login/client_secret: is required by the auth0_callback_redirect route at /paths/0',
      'error /authorizers/login/redirect_uri: is required by the auth0_callback_redirect route at /paths/0',
      'error /authorizers/login/client_id: is required by the auth0_refresh route at /paths/2',
      'error /authorizers/login/client_secret: is required by the auth0_refresh route at /paths/2',
    ]);
  });

  it('checks redirect_uri and warns about a scope without openid', () => {
    const problems = lintIdentityFlows(
      config({
        authorizer: { ...login, redirect_uri: 'https://api.example.com/cb#frag', scope: 'profile email' },
        paths: [{ method: 'GET', path: '/callback', integration: { type: 'auth0_callback' } }],
      }),
    );
    expect(problems.map((p) => [p.severity, p.pointer])).toEqual([
      ['error', '/authorizer/redirect_uri'],
      ['warning', '/authorizer/scope'],
    ]);
  });

  it('refuses scopes on flow routes and post_process elsewhere than auth0_callback', () => {
    const problems = lintIdentityFlows(
      config({
        authorizer: login,
        serviceBindings: [{ alias: 'hooks', binding: 'HOOKS' }],
        paths: [
          {
            method: 'GET',
            path: '/me',
            scopes: ['read'],
            auth: true,
            integration: { type: 'auth0_userinfo' },
          },
          {
            method: 'GET',
            path: '/x',
            integration: { type: 'auth0_refresh', post_process: { binding: 'hooks', function: 'f' } },
          },
          {
            method: 'GET',
            path: '/callback',
            integration: { type: 'auth0_callback', post_process: { binding: 'nope', function: 'f' } },
          },
          {
            method: 'GET',
            path: '/ok',
            integration: { type: 'auth0_callback', post_process: { binding: 'hooks', function: 'f' } },
          },
        ],
      }),
    );
    expect(problems.map((p) => p.pointer)).toEqual([
      '/paths/0/scopes',
      '/paths/1/integration/post_process',
      // The hook's alias is checked with every route's references (test/config/semantic-rules.test.ts).
    ]);
  });

  it('with the environment: warns once when the Supabase variables are missing', () => {
    const supabaseConfig = config({
      authorizer: { type: 'supabase', jwt_secret: 'x'.repeat(32) },
      paths: [
        { method: 'POST', path: '/otp', integration: { type: 'supabase_passwordless_auth' } },
        { method: 'POST', path: '/verify', integration: { type: 'supabase_passwordless_verify' } },
      ],
    });
    expect(lintIdentityFlows(supabaseConfig)).toEqual([]);
    expect(lintIdentityFlows(supabaseConfig, { SUPABASE_URL: 'https://p.supabase.co' })).toEqual([
      {
        pointer: '/paths',
        severity: 'warning',
        message:
          'the Supabase flows answer 500 SUPABASE_ENV_MISSING: SUPABASE_SERVICE_ROLE_KEY not set (set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY)',
      },
    ]);
    expect(
      lintIdentityFlows(supabaseConfig, {
        SUPABASE_URL: 'https://p.supabase.co',
        SUPABASE_SERVICE_ROLE_KEY: 'k',
      }),
    ).toEqual([]);
  });
});
