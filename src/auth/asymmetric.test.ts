import { describe, expect, it } from 'vitest';
import type { AuthorizerConfig } from '../config/schema.js';
import { isGatewayError, type GatewayError } from '../errors/gateway-error.js';
import { renderGatewayError } from '../errors/render.js';
import {
  asAlgorithm,
  authTestPlatform,
  bearer,
  claimsAt,
  createKeyPair,
  createWeakRsaKeyPair,
  jwksOf,
  signHmacWithBytes,
  signToken,
  type AsymmetricTestAlg,
} from '../../test/fixtures/keys.js';
import { createAuthorizers } from './create-authorizers.js';

/** `jwt` authorizers with public keys: PEM, JWK text, inline key sets; every asymmetric family. */

function setup(config: AuthorizerConfig) {
  const platform = authTestPlatform();
  const authorizer = createAuthorizers({ authorizer: config }, platform).get('default');
  if (!authorizer) throw new Error('no default authorizer');
  return { authorizer, platform, now: platform.time };
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

describe('public_key (PEM SPKI) for every asymmetric family', () => {
  it.each<AsymmetricTestAlg>(['RS256', 'RS512', 'PS256', 'PS384', 'ES256', 'ES384', 'EdDSA'])(
    '%s',
    async (alg) => {
      const pair = await createKeyPair(alg);
      const { authorizer, now } = setup({ type: 'jwt', algorithms: [alg], public_key: pair.publicPem });
      await expect(
        authorizer.authenticate(bearer(await signToken(pair, claimsAt(now)))),
      ).resolves.toMatchObject({
        sub: 'user-1',
      });
      const other = await createKeyPair(alg);
      const error = await refusal(authorizer.authenticate(bearer(await signToken(other, claimsAt(now)))));
      expect(error.code).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    },
  );

  it('one RSA key serves RS256 and PS256 when both are configured', async () => {
    const pair = await createKeyPair('RS256');
    const { authorizer, now } = setup({
      type: 'jwt',
      algorithms: ['RS256', 'PS256'],
      public_key: pair.publicPem,
    });
    await expect(
      authorizer.authenticate(bearer(await signToken(pair, claimsAt(now)))),
    ).resolves.toBeDefined();
    const ps = await asAlgorithm(pair, 'PS256');
    await expect(authorizer.authenticate(bearer(await signToken(ps, claimsAt(now))))).resolves.toBeDefined();
  });

  it('accepts a public JWK given as JSON text', async () => {
    const pair = await createKeyPair('ES256');
    const { authorizer, now } = setup({
      type: 'jwt',
      algorithms: ['ES256'],
      public_key: JSON.stringify(pair.publicJwk),
    });
    await expect(
      authorizer.authenticate(bearer(await signToken(pair, claimsAt(now)))),
    ).resolves.toBeDefined();
  });
});

describe('algorithm confusion', () => {
  it('an HS256 token whose secret is the RSA public key PEM, offered to an RS256 authorizer → ERR_JOSE_ALG_NOT_ALLOWED', async () => {
    const pair = await createKeyPair('RS256');
    const { authorizer, now } = setup({ type: 'jwt', algorithms: ['RS256'], public_key: pair.publicPem });
    for (const keyText of [pair.publicPem, pair.publicPem.trim(), JSON.stringify(pair.publicJwk)]) {
      const forged = await signHmacWithBytes(new TextEncoder().encode(keyText), claimsAt(now));
      const error = await refusal(authorizer.authenticate(bearer(forged)));
      expect(error.code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
      expect(String(error.detail?.hint)).toContain('HMAC-signed');
    }
  });

  it('an RS256 token offered to an HMAC authorizer whose secret is that PEM → ERR_JOSE_ALG_NOT_ALLOWED', async () => {
    const pair = await createKeyPair('RS256');
    const { authorizer, now } = setup({ type: 'jwt', secret: pair.publicPem });
    const error = await refusal(authorizer.authenticate(bearer(await signToken(pair, claimsAt(now)))));
    expect(error.code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('an ES256 token offered to an RS256 authorizer → ERR_JOSE_ALG_NOT_ALLOWED', async () => {
    const rsa = await createKeyPair('RS256');
    const ec = await createKeyPair('ES256');
    const { authorizer, now } = setup({ type: 'jwt', algorithms: ['RS256'], public_key: rsa.publicPem });
    expect((await refusal(authorizer.authenticate(bearer(await signToken(ec, claimsAt(now)))))).code).toBe(
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
  });

  it('a token embedding its own key (jwk header) and signed with it is refused', async () => {
    const trusted = await createKeyPair('RS256');
    const attacker = await createKeyPair('RS256', trusted.kid);
    const { authorizer, now } = setup({ type: 'jwt', algorithms: ['RS256'], jwks: jwksOf(trusted) });
    const token = await signToken(attacker, claimsAt(now), { jwk: attacker.publicJwk });
    const error = await refusal(authorizer.authenticate(bearer(token)));
    expect(error.code).toBe('AUTH_VERIFICATION_FAILED');
    expect(await renderGatewayError(error).json()).toEqual({
      error: 'JWT verification failed',
      code: 'AUTH_ERROR',
    });
  });
});

describe('inline jwks', () => {
  it('selects the key by kid, as object or JSON text', async () => {
    const a = await createKeyPair('RS256');
    const b = await createKeyPair('ES256');
    for (const jwks of [jwksOf(a, b), JSON.stringify(jwksOf(a, b))]) {
      const { authorizer, now } = setup({ type: 'jwt', algorithms: ['RS256', 'ES256'], jwks });
      await expect(authorizer.authenticate(bearer(await signToken(a, claimsAt(now))))).resolves.toBeDefined();
      await expect(authorizer.authenticate(bearer(await signToken(b, claimsAt(now))))).resolves.toBeDefined();
    }
  });

  it('unknown kid → ERR_JWKS_NO_MATCHING_KEY, naming the kid and the keys', async () => {
    const a = await createKeyPair('RS256', 'key-a');
    const stranger = await createKeyPair('RS256', 'abc');
    const { authorizer, now } = setup({ type: 'jwt', algorithms: ['RS256'], jwks: jwksOf(a) });
    const error = await refusal(authorizer.authenticate(bearer(await signToken(stranger, claimsAt(now)))));
    expect(await renderGatewayError(error).json()).toEqual({
      error: 'No matching key found in JWKS.',
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    });
    expect(error.detail).toMatchObject({ check: 'kid', actual: '"abc"', expected: ['key-a'] });
    expect(error.detail?.message).toBe('kid "abc" not among the 1 key of the inline jwks (kids: "key-a")');
  });

  it('no kid and several candidate keys: the one that verifies wins; none → ERR_JWKS_MULTIPLE_MATCHING_KEYS', async () => {
    const a = await createKeyPair('RS256');
    const b = await createKeyPair('RS256');
    const c = await createKeyPair('RS256');
    const strip = (jwk: typeof a.publicJwk) => ({ ...jwk, kid: undefined });
    const { authorizer, now } = setup({
      type: 'jwt',
      algorithms: ['RS256'],
      jwks: { keys: [strip(a.publicJwk), strip(b.publicJwk)] },
    });
    const byB = await signToken(b, claimsAt(now), { kid: undefined });
    await expect(authorizer.authenticate(bearer(byB))).resolves.toBeDefined();
    const byC = await signToken(c, claimsAt(now), { kid: undefined });
    const error = await refusal(authorizer.authenticate(bearer(byC)));
    expect(await renderGatewayError(error).json()).toEqual({
      error: 'Multiple matching keys found in JWKS.',
      code: 'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
    });
  });

  it('no kid and exactly one candidate: verified with it', async () => {
    const a = await createKeyPair('ES256');
    const { authorizer, now } = setup({
      type: 'jwt',
      algorithms: ['ES256'],
      jwks: { keys: [{ ...a.publicJwk, kid: undefined }] },
    });
    await expect(
      authorizer.authenticate(bearer(await signToken(a, claimsAt(now), { kid: undefined }))),
    ).resolves.toBeDefined();
  });
});

describe('faults inside the library map to the table, never a 500', () => {
  it('an RSA key under 2048 bits (jose throws a plain TypeError) → JWT verification failed / AUTH_ERROR', async () => {
    const weak = await createWeakRsaKeyPair();
    const { authorizer, now } = setup({ type: 'jwt', algorithms: ['RS256'], jwks: jwksOf(weak) });
    const error = await refusal(authorizer.authenticate(bearer(await signToken(weak, claimsAt(now)))));
    expect(error.code).toBe('AUTH_VERIFICATION_FAILED');
    expect(renderGatewayError(error).status).toBe(401);
    expect(error.detail?.message).toContain('2048');
  });

  it('a public_key that does not fit the configured algorithm → AUTH_ERROR per request, logged once at compile time', async () => {
    const ec = await createKeyPair('ES256');
    const rsa = await createKeyPair('RS256');
    const { authorizer, platform, now } = setup({
      type: 'jwt',
      algorithms: ['RS256'],
      public_key: ec.publicPem,
    });
    await authorizer.prefetch();
    expect(platform.logs.filter((l) => l.msg === 'authorizer key unusable')).toHaveLength(1);
    const error = await refusal(authorizer.authenticate(bearer(await signToken(rsa, claimsAt(now)))));
    expect(error.code).toBe('AUTH_VERIFICATION_FAILED');
    expect(error.detail).toMatchObject({ check: 'key' });
  });
});
