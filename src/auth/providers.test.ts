import { afterEach, describe, expect, it } from 'vitest';
import type { AuthorizerConfig } from '../config/schema.js';
import { isGatewayError, type GatewayError } from '../errors/gateway-error.js';
import { startJwksServer, type JwksServer } from '../../test/fixtures/jwks-server.js';
import {
  authTestPlatform,
  bearer,
  claimsAt,
  createKeyPair,
  hmacKey,
  jwksOf,
  randomSecret,
  signToken,
} from '../../test/fixtures/keys.js';
import { auth0Issuer } from './authorizers/auth0.js';
import { createAuthorizers } from './create-authorizers.js';
import type { Authorizer } from './types.js';

/** The provider-flavoured types: auth0 (issuer from domain, audience when set) and supabase (sub required). */

const servers: JwksServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function setup(config: AuthorizerConfig) {
  const platform = authTestPlatform();
  const authorizer = createAuthorizers({ authorizer: config }, platform).get('default') as Authorizer;
  return { authorizer, now: platform.time };
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (isGatewayError(error)) return error;
    throw error;
  }
  throw new Error('expected the token to be refused');
}

const rsa = await createKeyPair('RS256', 'tenant-key');

describe('auth0', () => {
  it('derives the issuer https://{domain}/ (trailing slash), keeping a scheme when the domain has one', () => {
    expect(auth0Issuer('tenant.eu.auth0.com')).toBe('https://tenant.eu.auth0.com/');
    expect(auth0Issuer('http://127.0.0.1:9000')).toBe('http://127.0.0.1:9000/');
    expect(auth0Issuer('https://login.example.com/')).toBe('https://login.example.com/');
  });

  it('verifies against {issuer}.well-known/jwks.json by default, issuer with trailing slash', async () => {
    const server = await startJwksServer(jwksOf(rsa).keys);
    servers.push(server);
    const { authorizer, now } = setup({ type: 'auth0', domain: server.url });
    const issuer = `${server.url}/`;
    await expect(
      authorizer.authenticate(bearer(await signToken(rsa, claimsAt(now, { iss: issuer })))),
    ).resolves.toMatchObject({
      iss: issuer,
    });
    expect(server.paths).toEqual(['/.well-known/jwks.json']);

    const noSlash = await signToken(rsa, claimsAt(now, { iss: server.url }));
    const error = await refusal(authorizer.authenticate(bearer(noSlash)));
    expect(error.code).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(error.detail?.message).toContain('(trailing slash)');
  });

  it('without audience, any audience of the tenant passes (anchor behaviour)', async () => {
    const { authorizer, now } = setup({
      type: 'auth0',
      domain: 'tenant.auth0.com',
      jwks: JSON.stringify(jwksOf(rsa)),
    });
    const token = await signToken(
      rsa,
      claimsAt(now, { iss: 'https://tenant.auth0.com/', aud: 'api://anything' }),
    );
    await expect(authorizer.authenticate(bearer(token))).resolves.toBeDefined();
  });

  it('with audience, tokens for another API of the tenant are refused (compat row 6)', async () => {
    const { authorizer, now } = setup({
      type: 'auth0',
      domain: 'tenant.auth0.com',
      jwks: JSON.stringify(jwksOf(rsa)),
      audience: 'api://orders',
    });
    const iss = 'https://tenant.auth0.com/';
    await expect(
      authorizer.authenticate(
        bearer(
          await signToken(
            rsa,
            claimsAt(now, { iss, aud: ['api://orders', 'https://tenant.auth0.com/userinfo'] }),
          ),
        ),
      ),
    ).resolves.toBeDefined();
    const other = await signToken(rsa, claimsAt(now, { iss, aud: ['api://billing'] }));
    const error = await refusal(authorizer.authenticate(bearer(other)));
    expect(error.code).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(error.detail?.message).toBe('aud expected "api://orders" got ["api://billing"]');
  });

  it('RS256 only by default: an HS256 token is refused as ERR_JOSE_ALG_NOT_ALLOWED', async () => {
    const { authorizer, now } = setup({
      type: 'auth0',
      domain: 'tenant.auth0.com',
      jwks: JSON.stringify(jwksOf(rsa)),
    });
    const token = await signToken(
      hmacKey(randomSecret()),
      claimsAt(now, { iss: 'https://tenant.auth0.com/' }),
    );
    expect((await refusal(authorizer.authenticate(bearer(token)))).code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
  });
});

describe('supabase', () => {
  const secret = randomSecret();
  const key = hmacKey(secret);
  const project = { type: 'supabase', jwt_secret: secret } as const;

  it('accepts a user access token (HS256, sub present)', async () => {
    const { authorizer, now } = setup({ ...project, audience: 'authenticated' });
    const token = await signToken(
      key,
      claimsAt(now, { sub: 'uuid-1', aud: 'authenticated', role: 'authenticated' }),
    );
    await expect(authorizer.authenticate(bearer(token))).resolves.toMatchObject({ sub: 'uuid-1' });
  });

  it.each(['anon', 'service_role'])('refuses the project %s key (no sub) and says why', async (role) => {
    const { authorizer, now } = setup(project);
    const seconds = Math.floor(now / 1000);
    const projectKey = await signToken(key, {
      iss: 'supabase',
      ref: 'abcdef',
      role,
      iat: seconds - 86_400,
      exp: seconds + 10 * 365 * 86_400,
    });
    const error = await refusal(authorizer.authenticate(bearer(projectKey)));
    expect(error.code).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(String(error.detail?.hint)).toContain(`Supabase ${role} key`);
  });

  it('sub stays required even when required_claims is relaxed', async () => {
    const { authorizer, now } = setup({ ...project, required_claims: [] });
    const token = await signToken(key, claimsAt(now, { sub: undefined, exp: undefined }));
    expect((await refusal(authorizer.authenticate(bearer(token)))).code).toBe(
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    );
    await expect(
      authorizer.authenticate(bearer(await signToken(key, claimsAt(now, { exp: undefined })))),
    ).resolves.toBeDefined();
  });

  it('uses the jose table codes (ERR_JWT_EXPIRED, not JWT_EXPIRED)', async () => {
    const { authorizer, now } = setup(project);
    const token = await signToken(key, claimsAt(now, { exp: Math.floor(now / 1000) - 5 }));
    expect((await refusal(authorizer.authenticate(bearer(token)))).code).toBe('ERR_JWT_EXPIRED');
  });

  it('enforces issuer and audience when configured', async () => {
    const iss = 'https://ref.supabase.co/auth/v1';
    const { authorizer, now } = setup({ ...project, issuer: iss, audience: 'authenticated' });
    await expect(
      authorizer.authenticate(bearer(await signToken(key, claimsAt(now, { iss, aud: 'authenticated' })))),
    ).resolves.toBeDefined();
    const wrongIss = await signToken(
      key,
      claimsAt(now, { iss: 'https://other.supabase.co/auth/v1', aud: 'authenticated' }),
    );
    expect((await refusal(authorizer.authenticate(bearer(wrongIss)))).detail).toMatchObject({ check: 'iss' });
  });

  it('verifies asymmetric project keys from jwks_uri (ES256 and RS256 by default)', async () => {
    const ec = await createKeyPair('ES256', 'sb-ec');
    const server = await startJwksServer(jwksOf(ec, rsa).keys);
    servers.push(server);
    const { authorizer, now } = setup({ type: 'supabase', jwks_uri: server.jwksUrl });
    await expect(authorizer.authenticate(bearer(await signToken(ec, claimsAt(now))))).resolves.toBeDefined();
    await expect(authorizer.authenticate(bearer(await signToken(rsa, claimsAt(now))))).resolves.toBeDefined();
    const hs = await signToken(key, claimsAt(now));
    expect((await refusal(authorizer.authenticate(bearer(hs)))).code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
  });
});
