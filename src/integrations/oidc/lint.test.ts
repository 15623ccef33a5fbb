import { describe, expect, it } from 'vitest';
import { lintAuthorizer } from '../../auth/lint.js';
import type { AuthorizerConfig, GatewayConfig } from '../../config/schema.js';
import { lintIdentityFlows } from '../identity/lint.js';

const client: AuthorizerConfig = {
  type: 'oidc',
  issuer: 'https://id.example/realms/demo',
  client_id: 'web',
  client_secret: 's'.repeat(40),
  redirect_uri: 'https://app.example/auth/callback',
  audience: 'api',
};

function without(field: keyof AuthorizerConfig): AuthorizerConfig {
  const copy = { ...client };
  delete copy[field];
  return copy;
}

const messages = (def: Record<string, unknown>) =>
  lintAuthorizer(def as AuthorizerConfig, '/authorizer', { strict: false }).map(
    (p) => `${p.severity} ${p.pointer}: ${p.message}`,
  );

function flows(authorizer: AuthorizerConfig, paths: unknown[]): string[] {
  return lintIdentityFlows({ authorizer, paths } as GatewayConfig).map((p) => `${p.pointer}: ${p.message}`);
}

describe('oidc authorizer rules', () => {
  it('accepts a complete client', () => {
    expect(messages(client)).toEqual([]);
  });

  it('needs exactly one of issuer and domain; an issuer is a plain http(s) URL', () => {
    expect(messages({ type: 'oidc' })[0]).toContain('needs "issuer"');
    expect(messages({ ...client, domain: 'tenant.auth0.com' })[0]).toContain(
      'set only one of "issuer", "domain"',
    );
    expect(messages({ ...client, issuer: 'https://id.example/?x=1' })).toContain(
      'error /authorizer/issuer: issuer has no query or fragment (OpenID Connect Discovery §3)',
    );
    expect(messages({ ...client, issuer: 'ftp://id.example' })[0]).toContain('must use https');
  });

  it('checks the client authentication, scopes and authorization parameters', () => {
    expect(messages({ ...client, client_auth: 'private_key_jwt' })).toContain(
      'error /authorizer/client_private_key: is required by client_auth "private_key_jwt"',
    );
    expect(messages({ ...client, client_secret: undefined, client_auth: 'client_secret_post' })).toContain(
      'error /authorizer/client_secret: is required by client_auth "client_secret_post"',
    );
    expect(messages({ ...client, scopes: ['profile'] })).toContain(
      'error /authorizer/scopes: must include "openid" (the login needs an ID token)',
    );
    expect(messages({ ...client, authorization_params: { state: 'x' } })).toContain(
      'error /authorizer/authorization_params/state: "state" is set by the login flow itself',
    );
  });

  it('warns when bearer tokens would be accepted for any audience', () => {
    expect(messages({ ...client, audience: undefined })[0]).toMatch(/^warning \/authorizer: no "audience"/);
  });
});

describe('oidc flow rules', () => {
  const login = (session: unknown, where: 'integration' | 'route' = 'integration') => ({
    method: 'GET',
    path: '/login',
    ...(where === 'route' ? { session } : {}),
    integration: { type: 'oidc_login', ...(where === 'integration' ? { session } : {}) },
  });

  it('accepts a session login, in the integration or on the route', () => {
    expect(flows(client, [login({ return_to: ['/app', 'https://app.example'] })])).toEqual([]);
    expect(flows(client, [login({ return_to: ['/app'] }, 'route')])).toEqual([]);
  });

  it('refuses bad return_to entries, a short secret, and idle longer than the lifetime', () => {
    expect(
      flows(client, [
        login({ return_to: ['//evil.example', 'javascript:x'], secret: 'short', ttl_s: 60, idle_ttl_s: 120 }),
      ]),
    ).toEqual([
      '/paths/0/integration/session/return_to/0: a path entry starts with a single "/"',
      '/paths/0/integration/session/return_to/1: only http(s) URLs',
      '/paths/0/integration/session/secret: use at least 32 random bytes',
      '/paths/0/integration/session/idle_ttl_s: is longer than ttl_s',
    ]);
  });

  it('refuses session anywhere but a login route, and the fields a flow needs', () => {
    expect(
      flows(without('redirect_uri'), [
        { method: 'GET', path: '/cb', integration: { type: 'oidc_callback', session: { return_to: ['/'] } } },
      ]),
    ).toEqual([
      '/paths/0/integration/session: session applies to oidc_login routes only',
      '/authorizer/redirect_uri: is required by the oidc_callback route at /paths/0',
    ]);
  });

  it('a public client needs session.secret to seal its cookies', () => {
    const publicClient = without('client_secret');
    expect(flows(publicClient, [login({ return_to: ['/app'] })])[0]).toContain('needs "session": {"secret"');
    expect(flows(publicClient, [login({ return_to: ['/app'], secret: 'k'.repeat(32) })])).toEqual([]);
  });
});
