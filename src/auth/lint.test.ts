import { describe, expect, it } from 'vitest';
import type { AuthorizerConfig } from '../config/schema.js';
import type { ConfigProblem } from '../config/problems.js';
import { ConfigInvalidError } from '../config/problems.js';
import { authTestPlatform } from '../../test/fixtures/keys.js';
import { lintAuthorizer, lintAuthorizers } from './lint.js';
import { createAuthorizers } from './create-authorizers.js';

const SECRET = 'x'.repeat(32);
const PEM = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----';
const lax = { strict: false };

function lint(def: Record<string, unknown>, env = lax): ConfigProblem[] {
  return lintAuthorizer(def as AuthorizerConfig, '/authorizer', env);
}

function errors(def: Record<string, unknown>, env = lax): string[] {
  return lint(def, env)
    .filter((p) => p.severity === 'error')
    .map((p) => `${p.pointer}: ${p.message}`);
}

describe('lintAuthorizer', () => {
  it('accepts minimal valid definitions of every type', () => {
    expect(lint({ type: 'jwt', secret: SECRET })).toEqual([]);
    expect(lint({ type: 'jwt', algorithms: ['RS256'], public_key: PEM })).toEqual([]);
    expect(lint({ type: 'jwt', algorithm: 'ES256', jwks_uri: 'https://idp.example/jwks.json' })).toEqual([]);
    expect(lint({ type: 'auth0', domain: 'tenant.auth0.com', client_id: 'c', client_secret: 's' })).toEqual(
      [],
    );
    expect(lint({ type: 'auth0', domain: 'http://127.0.0.1:9000' })).toEqual([]);
    expect(lint({ type: 'supabase', jwt_secret: SECRET, audience: 'authenticated' })).toEqual([]);
    expect(
      lint({ type: 'supabase', jwks_uri: 'https://ref.supabase.co/auth/v1/.well-known/jwks.json' }),
    ).toEqual([]);
  });

  it('refuses an unknown type, with a suggestion', () => {
    expect(errors({ type: 'jwks' })).toEqual([
      '/authorizer/type: unknown authorizer type "jwks"; did you mean "jwt"? (known: jwt, auth0, supabase, oidc)',
    ]);
  });

  it('requires keys per type', () => {
    expect(errors({ type: 'jwt' })[0]).toContain('needs "secret"');
    expect(errors({ type: 'auth0' })[0]).toContain('needs "domain"');
    expect(errors({ type: 'supabase' })[0]).toContain('needs "jwt_secret"');
  });

  it('refuses fields of another type', () => {
    expect(errors({ type: 'jwt', secret: SECRET, jwt_secret: SECRET })).toEqual([
      '/authorizer/jwt_secret: "jwt_secret" does not apply to a jwt authorizer (used by supabase)',
    ]);
    expect(
      errors({ type: 'auth0', domain: 'tenant.auth0.com', issuer: 'https://tenant.auth0.com/' })[0],
    ).toContain('auth0 derives it from domain');
    expect(errors({ type: 'supabase', jwt_secret: SECRET, secret: SECRET })[0]).toContain(
      '"secret" does not apply',
    );
  });

  it('HMAC algorithms only with a secret, asymmetric only with keys', () => {
    expect(errors({ type: 'jwt', public_key: PEM })[0]).toContain(
      'HS256 is an HMAC algorithm and needs "secret"',
    );
    expect(errors({ type: 'jwt', secret: SECRET, algorithms: ['RS256'] })).toEqual([
      '/authorizer/algorithms/0: RS256 is a public-key algorithm and needs "public_key", "jwks" or "jwks_uri"',
    ]);
    expect(errors({ type: 'auth0', domain: 'tenant.auth0.com', algorithm: 'HS256' })[0]).toContain(
      'public keys only',
    );
  });

  it('refuses unknown algorithm names and every spelling of none', () => {
    expect(errors({ type: 'jwt', secret: SECRET, algorithm: 'HS265' })[0]).toContain('did you mean "HS256"?');
    for (const none of ['none', 'None', 'NONE']) {
      expect(errors({ type: 'jwt', secret: SECRET, algorithms: ['HS256', none] })).toEqual([
        `/authorizer/algorithms/1: "${none}": unsigned tokens are never accepted`,
      ]);
    }
    expect(errors({ type: 'jwt', secret: SECRET, algorithm: 'HS256', algorithms: ['HS256'] })[0]).toContain(
      'either',
    );
  });

  it('a short HMAC secret is an error naming pointer and length; allow_weak_secret makes it a warning', () => {
    const short = { type: 'jwt', secret: 'too-short' };
    expect(errors(short)).toEqual([
      '/authorizer/secret: HMAC secret is 9 bytes; HS256 needs at least 32 random bytes (RFC 7518 §3.2); set "allow_weak_secret": true to accept it while migrating',
    ]);
    const migrating = { ...short, allow_weak_secret: true };
    expect(lint(migrating)).toEqual([
      {
        pointer: '/authorizer/secret',
        severity: 'warning',
        message: 'HMAC secret is 9 bytes; HS256 needs at least 32 random bytes (RFC 7518 §3.2)',
      },
    ]);
    expect(errors(migrating, { strict: true })).toEqual([
      '/authorizer/secret: HMAC secret is 9 bytes; HS256 needs at least 32 random bytes (RFC 7518 §3.2) (GATEHOUSE_STRICT=1)',
    ]);
    expect(lint({ type: 'supabase', jwt_secret: 'short' })[0]?.severity).toBe('error');
    expect(lint({ type: 'supabase', jwt_secret: 'short', allow_weak_secret: true })[0]?.severity).toBe(
      'warning',
    );
  });

  it('the secret must be as long as the hash of every allowed HMAC algorithm (HS384: 48, HS512: 64)', () => {
    const bytes40 = 'k'.repeat(40);
    expect(lint({ type: 'jwt', secret: bytes40, algorithms: ['HS256'] })).toEqual([]);
    expect(errors({ type: 'jwt', secret: bytes40, algorithms: ['HS384'] })[0]).toContain(
      'HMAC secret is 40 bytes; HS384 needs at least 48',
    );
    expect(errors({ type: 'jwt', secret: 'k'.repeat(63), algorithms: ['HS256', 'HS512'] })[0]).toContain(
      'HS512 needs at least 64',
    );
    expect(lint({ type: 'jwt', secret: 'k'.repeat(64), algorithm: 'HS512' })).toEqual([]);
  });

  it('jwks_uri must be http(s); plain http outside loopback is a warning', () => {
    expect(errors({ type: 'jwt', algorithms: ['RS256'], jwks_uri: 'ftp://idp.example/keys' })[0]).toContain(
      'must use https',
    );
    expect(errors({ type: 'jwt', algorithms: ['RS256'], jwks_uri: 'not a url' })[0]).toContain(
      'absolute http(s) URL',
    );
    expect(
      lint({ type: 'jwt', algorithms: ['RS256'], jwks_uri: 'http://idp.example/keys' })[0]?.severity,
    ).toBe('warning');
    expect(lint({ type: 'jwt', algorithms: ['RS256'], jwks_uri: 'http://127.0.0.1:9/keys' })).toEqual([]);
  });

  it('public_key: no private keys, certificates or PKCS#1; JWK text accepted', () => {
    const at = (public_key: string) => errors({ type: 'jwt', algorithms: ['RS256'], public_key });
    expect(at('-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----')[0]).toContain('private key');
    expect(at('-----BEGIN CERTIFICATE-----\nabc')[0]).toContain('certificates');
    expect(at('-----BEGIN RSA PUBLIC KEY-----\nabc')[0]).toContain('PKCS#1');
    expect(at('{"kty":"RSA","n":"abc","e":"AQAB"}')).toEqual([]);
    expect(at('{"kty":"RSA","n":"abc","e":"AQAB","d":"secret"}')[0]).toContain('private key');
    expect(at('hello')[0]).toContain('must be a PEM SPKI');
  });

  it('inline jwks: a key set of public keys', () => {
    const at = (jwks: unknown) => errors({ type: 'jwt', algorithms: ['RS256'], jwks });
    expect(at('{nope')[0]).toContain('not valid JSON');
    expect(at({ keys: [] })[0]).toContain('no keys');
    expect(at({ keys: [{ kty: 'oct', k: 'abc' }] })[0]).toBe(
      '/authorizer/jwks/keys/0: key 0 is a symmetric key; HMAC secrets go in "secret"',
    );
    expect(at({ keys: [{ kty: 'RSA', n: 'a', e: 'AQAB' }] })).toEqual([]);
  });

  it('only one public key source', () => {
    expect(
      errors({ type: 'jwt', algorithms: ['RS256'], public_key: PEM, jwks_uri: 'https://idp.example/k' })[0],
    ).toContain('set only one of');
  });

  it('auth0 domain is a host, optionally with an http(s) scheme', () => {
    expect(errors({ type: 'auth0', domain: 'tenant.auth0.com/path' })[0]).toContain('without path');
    expect(errors({ type: 'auth0', domain: 'ftp://tenant.auth0.com' })[0]).toContain('http(s) scheme');
  });
});

describe('lintAuthorizers / createAuthorizers', () => {
  it('reserves the name "default" for the top-level authorizer', () => {
    const problems = lintAuthorizers(
      {
        authorizer: { type: 'jwt', secret: SECRET },
        authorizers: { default: { type: 'jwt', secret: SECRET } },
      },
      lax,
    );
    expect(problems.map((p) => p.pointer)).toEqual(['/authorizers/default']);
  });

  it('createAuthorizers refuses a config with errors (fail closed) and names every authorizer', () => {
    const platform = authTestPlatform();
    expect(() => createAuthorizers({ authorizer: { type: 'magic' } }, platform)).toThrow(ConfigInvalidError);
    const built = createAuthorizers(
      {
        authorizer: { type: 'jwt', secret: SECRET },
        authorizers: { partner: { type: 'auth0', domain: 'p.auth0.com' } },
      },
      platform,
    );
    expect([...built.keys()]).toEqual(['default', 'partner']);
    expect(built.get('partner')?.type).toBe('auth0');
  });
});
