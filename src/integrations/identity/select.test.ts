import { describe, expect, it } from 'vitest';
import type { AuthorizerConfig, GatewayConfig, RouteConfig } from '../../config/schema.js';
import { chooseFlowAuthorizer, isIdentityFlow } from './select.js';

const auth0 = (domain: string): AuthorizerConfig => ({ type: 'auth0', domain });
const supabase: AuthorizerConfig = { type: 'supabase', jwt_secret: 'x'.repeat(32) };
const jwt: AuthorizerConfig = { type: 'jwt', secret: 'y'.repeat(32) };
const route = (type: string, auth?: boolean | string): RouteConfig => ({
  method: 'GET',
  path: '/flow',
  integration: { type },
  ...(auth === undefined ? {} : { auth }),
});
type Authorizers = Pick<GatewayConfig, 'authorizer' | 'authorizers'>;

describe('chooseFlowAuthorizer', () => {
  it('prefers the route’s auth name, when it names an authorizer of the flow’s type', () => {
    const config: Authorizers = {
      authorizer: auth0('a.example'),
      authorizers: { login: auth0('b.example') },
    };
    expect(chooseFlowAuthorizer(config, route('auth0_callback', 'login'), '/paths/0')).toMatchObject({
      ok: true,
      name: 'login',
      pointer: '/authorizers/login',
    });
  });

  it('auth: true means the top-level authorizer', () => {
    const config: Authorizers = { authorizer: auth0('a.example') };
    expect(chooseFlowAuthorizer(config, route('auth0_refresh', true), '/paths/0')).toMatchObject({
      ok: true,
      name: 'default',
      pointer: '/authorizer',
    });
  });

  it('then the top-level authorizer of the right type, then the only one of that type', () => {
    const config: Authorizers = { authorizer: jwt, authorizers: { login: auth0('b.example'), sb: supabase } };
    expect(chooseFlowAuthorizer(config, route('auth0_userinfo'), '/paths/1')).toMatchObject({
      ok: true,
      name: 'login',
    });
    expect(chooseFlowAuthorizer(config, route('supabase_passwordless_auth'), '/paths/1')).toMatchObject({
      ok: true,
      name: 'sb',
    });
    const topLevel: Authorizers = {
      authorizer: auth0('a.example'),
      authorizers: { other: auth0('b.example') },
    };
    expect(chooseFlowAuthorizer(topLevel, route('auth0_callback'), '/paths/1')).toMatchObject({
      name: 'default',
    });
  });

  it('refuses a route whose auth names an authorizer of another type, or none', () => {
    const config: Authorizers = { authorizer: jwt, authorizers: { api: jwt, login: auth0('b.example') } };
    expect(chooseFlowAuthorizer(config, route('auth0_callback', 'api'), '/paths/2')).toEqual({
      ok: false,
      pointer: '/paths/2/auth',
      message: 'authorizer "api" is of type "jwt"; auth0_callback needs a "auth0" authorizer',
    });
    expect(chooseFlowAuthorizer(config, route('auth0_callback', true), '/paths/2')).toMatchObject({
      ok: false,
      pointer: '/paths/2/auth',
    });
    expect(chooseFlowAuthorizer(config, route('auth0_callback', 'missing'), '/paths/2')).toMatchObject({
      ok: false,
    });
  });

  it('refuses ambiguity and absence', () => {
    const two: Authorizers = { authorizers: { a: auth0('a.example'), b: auth0('b.example') } };
    const ambiguous = chooseFlowAuthorizer(two, route('auth0_callback'), '/paths/0');
    expect(ambiguous).toMatchObject({ ok: false, pointer: '/paths/0/auth' });
    expect(ambiguous.ok ? '' : ambiguous.message).toContain('name one with "auth"');
    const none = chooseFlowAuthorizer({ authorizer: jwt }, route('supabase_passwordless_verify'), '/paths/0');
    expect(none).toMatchObject({ ok: false, pointer: '/paths/0/integration/type' });
  });

  it('escapes authorizer names in pointers (RFC 6901)', () => {
    const config: Authorizers = { authorizers: { 'eu/login~1': auth0('a.example') } };
    expect(chooseFlowAuthorizer(config, route('auth0_callback'), '/paths/0')).toMatchObject({
      pointer: '/authorizers/eu~1login~01',
    });
  });
});

describe('isIdentityFlow', () => {
  it('names exactly the seven flow types', () => {
    expect(
      ['auth0_callback', 'auth0_callback_redirect', 'auth0_userinfo', 'auth0_refresh'].every(isIdentityFlow),
    ).toBe(true);
    expect(isIdentityFlow('supabase_passwordless_auth_alt')).toBe(true);
    expect(isIdentityFlow('http_proxy')).toBe(false);
    expect(isIdentityFlow('toString')).toBe(false);
    expect(isIdentityFlow(undefined)).toBe(false);
  });
});
