import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startJwksServer, type JwksServer } from '../fixtures/jwks-server.js';
import { createKeyPair, hmacKey, rawToken, segment, signToken, type TestKeyPair } from '../fixtures/keys.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { startNodeTarget, type GatewayTarget } from '../helpers/targets.js';

/**
 * Hostile tokens: the auth error table through real requests to the real Node gateway: each
 * hostile or broken token gets its table row and the upstream behind the protected route is
 * never reached. Unit tests in src/auth cover each check in depth; these prove the wiring.
 */
const SECRET = 'http-auth-test-secret-0123456789-abcdefghijkl';
const ISSUER = 'https://issuer.http.test/';
const AUDIENCE = 'http-api';
const now = (): number => Math.floor(Date.now() / 1000);
const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  sub: 'user-1',
  iss: ISSUER,
  aud: AUDIENCE,
  iat: now(),
  exp: now() + 600,
  ...overrides,
});

let upstream: RecordingUpstream;
let jwks: JwksServer;
let target: GatewayTarget;
let rsa: TestKeyPair;
let otherRsa: TestKeyPair;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  rsa = await createKeyPair('RS256', 'rs-key');
  otherRsa = await createKeyPair('RS256', 'unknown-kid');
  jwks = await startJwksServer([rsa.publicJwk]);
  target = await startNodeTarget(
    {
      servers: [{ alias: 'up', url: upstream.url }],
      authorizers: {
        hs: { type: 'jwt', secret: SECRET, algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE },
        rs: {
          type: 'jwt',
          jwks_uri: jwks.jwksUrl,
          algorithms: ['RS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
        },
        // Port 1 refuses connections: this key set can never be fetched.
        down: { type: 'jwt', jwks_uri: 'http://127.0.0.1:1/jwks.json', algorithms: ['RS256'] },
      },
      paths: [
        { method: 'GET', path: '/hs/{.+}', auth: 'hs', integration: { type: 'http_proxy', server: 'up' } },
        { method: 'GET', path: '/rs/{.+}', auth: 'rs', integration: { type: 'http_proxy', server: 'up' } },
        {
          method: 'GET',
          path: '/down/{.+}',
          auth: 'down',
          integration: { type: 'http_proxy', server: 'up' },
        },
        {
          method: 'GET',
          path: '/scoped/{.+}',
          auth: 'hs',
          scopes: ['orders:read'],
          integration: { type: 'http_proxy', server: 'up' },
        },
      ],
    },
    {},
  );
});
afterAll(async () => {
  await target?.close();
  await jwks?.close();
  await upstream?.close();
});
beforeEach(() => upstream.reset());

async function call(
  path: string,
  authorization?: string,
): Promise<{ status: number; body: unknown; challenge: string | null }> {
  const response = await fetch(`${target.url}${path}`, authorization ? { headers: { authorization } } : {});
  return {
    status: response.status,
    body: await response.json(),
    challenge: response.headers.get('www-authenticate'),
  };
}

const hs = hmacKey(SECRET);

describe('the auth error table over HTTP, nothing forwarded', () => {
  const rows: Array<[string, () => Promise<string | undefined>, string, string]> = [
    [
      'no Authorization header',
      async () => undefined,
      'No token provided or token format is invalid.',
      'AUTH_ERROR',
    ],
    [
      'another scheme',
      async () => 'Basic dXNlcjpwYXNz',
      'No token provided or token format is invalid.',
      'AUTH_ERROR',
    ],
    [
      'alg none',
      async () => `Bearer ${rawToken({ alg: 'none', typ: 'JWT' }, claims())}`,
      'Algorithm not allowed',
      'ERR_JOSE_ALG_NOT_ALLOWED',
    ],
    [
      'alg NoNe',
      async () => `Bearer ${rawToken({ alg: 'NoNe' }, claims())}`,
      'Algorithm not allowed',
      'ERR_JOSE_ALG_NOT_ALLOWED',
    ],
    [
      'HS384 where HS256 is configured',
      async () => `Bearer ${await signToken(hmacKey(SECRET, 'HS384'), claims())}`,
      'Algorithm not allowed',
      'ERR_JOSE_ALG_NOT_ALLOWED',
    ],
    [
      'expired',
      async () => `Bearer ${await signToken(hs, claims({ exp: now() - 60 }))}`,
      'Token has expired.',
      'ERR_JWT_EXPIRED',
    ],
    [
      'wrong issuer (no trailing slash)',
      async () => `Bearer ${await signToken(hs, claims({ iss: ISSUER.slice(0, -1) }))}`,
      'JWT claim validation failed',
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    ],
    [
      'wrong audience',
      async () => `Bearer ${await signToken(hs, claims({ aud: ['other-api'] }))}`,
      'JWT claim validation failed',
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    ],
    [
      'future nbf',
      async () => `Bearer ${await signToken(hs, claims({ nbf: now() + 600 }))}`,
      'JWT claim validation failed',
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    ],
    [
      'missing exp',
      async () => `Bearer ${await signToken(hs, claims({ exp: undefined }))}`,
      'JWT claim validation failed',
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    ],
    [
      'claims not a JSON object',
      async () => `Bearer ${await signToken(hs, [1, 2, 3])}`,
      'Invalid JWT',
      'ERR_JWT_INVALID',
    ],
    [
      'wrong secret',
      async () =>
        `Bearer ${await signToken(hmacKey('another-secret-of-enough-length-0123456789'), claims())}`,
      'Signature verification failed',
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    ],
    [
      'two segments',
      async () => `Bearer ${segment({ alg: 'HS256' })}.${segment(claims())}`,
      'Invalid JWS',
      'ERR_JWS_INVALID',
    ],
    [
      'padding in a segment',
      async () => `Bearer ${(await signToken(hs, claims())).replace('.', '=.')}`,
      'Invalid JWS',
      'ERR_JWS_INVALID',
    ],
    ['five parts (JWE)', async () => 'Bearer a.b.c.d.e', 'Invalid JWE', 'ERR_JWE_INVALID'],
    [
      'a jku header',
      async () => `Bearer ${await signToken(hs, claims(), { jku: `${jwks.url}/evil` })}`,
      'JWT verification failed',
      'AUTH_ERROR',
    ],
    [
      'an unknown crit header',
      async () => `Bearer ${await signToken(hs, claims(), { crit: ['x-unknown'], 'x-unknown': 1 })}`,
      'JWT verification failed',
      'AUTH_ERROR',
    ],
  ];

  it.each(rows)('%s → its row of the table', async (_name, authorization, error, code) => {
    const result = await call('/hs/orders', await authorization());
    expect(result.status).toBe(401);
    expect(result.body).toEqual({ error, code });
    expect(result.challenge).toMatch(/^Bearer/);
    expect(upstream.requests).toHaveLength(0);
  });

  it('HMAC/RSA confusion: an HS256 token signed with the RSA public key is refused by the RS authorizer', async () => {
    const token = await signToken(hmacKey(rsa.publicPem), claims(), { kid: 'rs-key' });
    const result = await call('/rs/orders', `Bearer ${token}`);
    expect(result).toMatchObject({ status: 401, body: { code: 'ERR_JOSE_ALG_NOT_ALLOWED' } });
    expect(upstream.requests).toHaveLength(0);
  });

  it('an unknown kid → ERR_JWKS_NO_MATCHING_KEY', async () => {
    const result = await call('/rs/orders', `Bearer ${await signToken(otherRsa, claims())}`);
    expect(result).toMatchObject({
      status: 401,
      body: { error: 'No matching key found in JWKS.', code: 'ERR_JWKS_NO_MATCHING_KEY' },
    });
    expect(upstream.requests).toHaveLength(0);
  });

  it('a key URL in the header (jku) is refused and never fetched', async () => {
    jwks.resetHits();
    const token = await signToken(rsa, claims(), { jku: `${jwks.url}/attacker.json` });
    const result = await call('/rs/orders', `Bearer ${token}`);
    expect(result).toMatchObject({ status: 401, body: { code: 'AUTH_ERROR' } });
    expect(jwks.paths).not.toContain('/attacker.json');
    expect(upstream.requests).toHaveLength(0);
  });

  it('key set unreachable → ERR_JWKS_UNAVAILABLE (fail closed)', async () => {
    const result = await call('/down/orders', `Bearer ${await signToken(rsa, claims())}`);
    expect(result).toMatchObject({
      status: 401,
      body: { error: 'Unable to fetch signing keys', code: 'ERR_JWKS_UNAVAILABLE' },
    });
    expect(upstream.requests).toHaveLength(0);
  });

  it('a missing scope → 403 ERR_INSUFFICIENT_SCOPE, nothing forwarded', async () => {
    const result = await call(
      '/scoped/orders',
      `Bearer ${await signToken(hs, claims({ scope: 'orders:write' }))}`,
    );
    expect(result).toMatchObject({
      status: 403,
      body: { error: 'Insufficient scope', code: 'ERR_INSUFFICIENT_SCOPE' },
    });
    expect(result.challenge).toContain('insufficient_scope');
    expect(upstream.requests).toHaveLength(0);
  });

  it('valid HS256 and RS256 tokens reach the upstream', async () => {
    expect((await call('/hs/ok', `Bearer ${await signToken(hs, claims())}`)).status).toBe(200);
    expect((await call('/rs/ok', `Bearer ${await signToken(rsa, claims())}`)).status).toBe(200);
    expect(upstream.requests.map((r) => r.url)).toEqual(['/ok', '/ok']);
  });
});
