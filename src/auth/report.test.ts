import { afterEach, describe, expect, it } from 'vitest';
import type { AuthorizerConfig } from '../config/schema.js';
import { startJwksServer, type JwksServer } from '../../test/fixtures/jwks-server.js';
import {
  authTestPlatform,
  claimsAt,
  createKeyPair,
  hmacKey,
  jwksOf,
  randomSecret,
  rawToken,
  signToken,
} from '../../test/fixtures/keys.js';
import { formatDuration } from './format.js';
import { createAuthorizers } from './create-authorizers.js';
import type { Authorizer, TokenReport } from './types.js';

/** `explain()`: the offline, check-by-check report behind `gatehouse token check`. */

const SECRET = randomSecret();
const KEY = hmacKey(SECRET);
const servers: JwksServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function setup(config: AuthorizerConfig) {
  const platform = authTestPlatform();
  const authorizer = createAuthorizers({ authorizer: config }, platform).get('default') as Authorizer;
  return { authorizer, platform, now: platform.time };
}

function check(report: TokenReport, name: string) {
  return report.checks.find((c) => c.name === name);
}

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [41, '41 s'],
    [192, '3 min 12 s'],
    [180, '3 min'],
    [7500, '2 h 5 min'],
    [3 * 86_400 + 4 * 3600, '3 d 4 h'],
  ])('%d s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('explain', () => {
  it('an accepted token: every check passes, claims included, no code', async () => {
    const { authorizer, now } = setup({
      type: 'jwt',
      secret: SECRET,
      issuer: 'https://i.example/',
      audience: 'api',
    });
    const report = await authorizer.explain(
      await signToken(KEY, claimsAt(now, { iss: 'https://i.example/', aud: 'api' })),
    );
    expect(report.ok).toBe(true);
    expect(report.code).toBeUndefined();
    expect(report.checks.map((c) => c.name)).toEqual([
      'format',
      'header',
      'alg',
      'signature',
      'claims',
      'exp',
      'nbf',
      'iat',
      'iss',
      'aud',
    ]);
    expect(report.checks.every((c) => c.ok)).toBe(true);
    expect(check(report, 'signature')?.message).toBe('verified with the configured secret');
    expect(check(report, 'exp')?.message).toMatch(/^expires in 1 h/);
    expect(report.claims).toMatchObject({ sub: 'user-1' });
  });

  it('lists every failing claim at once, with expected vs actual', async () => {
    const { authorizer, now } = setup({
      type: 'jwt',
      secret: SECRET,
      issuer: 'https://tenant.auth0.com/',
      audience: 'api://orders',
    });
    const exp = Math.floor(now / 1000) - 192;
    const token = await signToken(
      KEY,
      claimsAt(now, { exp, iss: 'https://tenant.auth0.com', aud: ['api://billing'] }),
    );
    const report = await authorizer.explain(token);
    expect(report.ok).toBe(false);
    expect(report.code).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(check(report, 'signature')?.ok).toBe(true);
    expect(check(report, 'exp')).toMatchObject({ ok: false });
    expect(check(report, 'exp')?.message).toContain('token expired 3 min 12 s ago');
    expect(check(report, 'iss')?.message).toBe(
      'iss expected "https://tenant.auth0.com/" got "https://tenant.auth0.com" (trailing slash)',
    );
    expect(check(report, 'aud')?.message).toBe('aud expected "api://orders" got ["api://billing"]');
    expect(report.hint).toContain('trailing slash');
  });

  it('wrong secret: the signature check fails with a hint about secret and algorithm', async () => {
    const { authorizer, now } = setup({ type: 'jwt', secret: SECRET });
    const report = await authorizer.explain(await signToken(hmacKey(randomSecret()), claimsAt(now)));
    expect(report.code).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    expect(check(report, 'signature')).toMatchObject({
      ok: false,
      message: 'signature does not verify with the configured secret (HS256)',
    });
    expect(report.hint).toContain('secret and algorithm');
    expect(check(report, 'exp')?.message).toContain('(signature not verified)');
  });

  it('alg RS256 but the authorizer allows HS256', async () => {
    const { authorizer, now } = setup({ type: 'jwt', secret: SECRET });
    const report = await authorizer.explain(await signToken(await createKeyPair('RS256'), claimsAt(now)));
    expect(report.code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    expect(check(report, 'alg')).toMatchObject({
      ok: false,
      message: 'alg RS256 but the authorizer allows HS256',
    });
    expect(check(report, 'signature')).toBeUndefined();
  });

  it('kid not among the N keys fetched S s ago from the key set URL', async () => {
    const known = await createKeyPair('ES256', 'k1');
    const server = await startJwksServer(jwksOf(known, await createKeyPair('ES256', 'k2')).keys);
    servers.push(server);
    const { authorizer, platform } = setup({ type: 'jwt', algorithms: ['ES256'], jwks_uri: server.jwksUrl });
    await authorizer.prefetch();
    platform.time += 41_000 - 30_000; // inside the cooldown: no refetch, the age shows
    const stranger = await createKeyPair('ES256', 'abc');
    const report = await authorizer.explain(await signToken(stranger, claimsAt(platform.time)));
    expect(report.code).toBe('ERR_JWKS_NO_MATCHING_KEY');
    expect(check(report, 'signature')?.message).toBe(
      `kid "abc" not among the 2 keys fetched 11 s ago from ${server.jwksUrl} (kids: "k1", "k2")`,
    );
    const good = await authorizer.explain(await signToken(known, claimsAt(platform.time)));
    expect(check(good, 'signature')?.message).toBe(
      `verified with the 2 keys fetched 11 s ago from ${server.jwksUrl}`,
    );
  });

  it('a malformed token stops at the format check, and the token never appears in the report', async () => {
    const { authorizer } = setup({ type: 'jwt', secret: SECRET });
    const report = await authorizer.explain('abc.def');
    expect(report).toEqual({
      ok: false,
      checks: [
        { name: 'format', ok: false, message: 'not a compact JWS: 2 dot-separated parts, expected 3' },
      ],
      code: 'ERR_JWS_INVALID',
      hint: 'pass the token exactly as issued: three base64url parts separated by dots',
    });
  });

  it('an unsigned token is explained as an alg problem', async () => {
    const { authorizer, now } = setup({ type: 'jwt', secret: SECRET });
    const report = await authorizer.explain(rawToken({ alg: 'none' }, claimsAt(now)));
    expect(report.code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    expect(check(report, 'alg')?.message).toContain('unsigned tokens are never accepted');
    const text = JSON.stringify(report);
    expect(text).not.toContain(rawToken({ alg: 'none' }, claimsAt(now)));
  });

  it('"JWT verification failed" rows report public code AUTH_ERROR', async () => {
    const { authorizer, now } = setup({ type: 'jwt', secret: SECRET });
    const report = await authorizer.explain(
      await signToken(KEY, claimsAt(now), { jku: 'http://127.0.0.1:9/keys' }),
    );
    expect(report).toMatchObject({ ok: false, code: 'AUTH_ERROR' });
    expect(check(report, 'header')?.message).toContain('"jku"');
  });
});
