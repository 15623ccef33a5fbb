import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuthorizerConfig } from '../config/schema.js';
import { isGatewayError } from '../errors/gateway-error.js';
import {
  authTestPlatform,
  bearer,
  claimsAt,
  hmacKey,
  randomSecret,
  signToken,
} from '../../test/fixtures/keys.js';
import { VerificationCache } from './cache.js';
import { createAuthorizers, type AuthorizerOptions } from './create-authorizers.js';
import type { Authorizer, AuthorizerSettings } from './types.js';

/** The verification cache (docs/BENCHMARKS.md P2): fast on repeats, never wrong about time. */

const SECRET = randomSecret();
const KEY = hmacKey(SECRET);

function setup(extra: Partial<AuthorizerConfig> = {}, options: AuthorizerOptions = {}) {
  const platform = authTestPlatform();
  const config: AuthorizerConfig = { type: 'jwt', secret: SECRET, ...extra };
  const authorizer = createAuthorizers({ authorizer: config }, platform, options).get(
    'default',
  ) as Authorizer;
  return { authorizer, platform };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return isGatewayError(error) ? error.code : 'not a GatewayError';
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('verification cache', () => {
  it('a repeated token is not verified again', async () => {
    const { authorizer, platform } = setup();
    const token = await signToken(KEY, claimsAt(platform.time));
    const verify = vi.spyOn(crypto.subtle, 'verify');
    const first = await authorizer.authenticate(bearer(token));
    expect(verify).toHaveBeenCalledTimes(1);
    const second = await authorizer.authenticate(bearer(token));
    expect(verify).toHaveBeenCalledTimes(1);
    expect(second).toBe(first);
  });

  it('failures are not cached: every bad token is checked again', async () => {
    const { authorizer, platform } = setup();
    const token = await signToken(hmacKey(randomSecret()), claimsAt(platform.time));
    const verify = vi.spyOn(crypto.subtle, 'verify');
    expect(await codeOf(authorizer.authenticate(bearer(token)))).toBe(
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );
    expect(await codeOf(authorizer.authenticate(bearer(token)))).toBe(
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('a cached token is refused from the second of its exp on', async () => {
    const { authorizer, platform } = setup();
    const token = await signToken(
      KEY,
      claimsAt(platform.time, { exp: Math.floor(platform.time / 1000) + 10 }),
    );
    expect(await codeOf(authorizer.authenticate(bearer(token)))).toBe('accepted');
    platform.time += 9_000;
    expect(await codeOf(authorizer.authenticate(bearer(token)))).toBe('accepted');
    platform.time += 1_000;
    expect(await codeOf(authorizer.authenticate(bearer(token)))).toBe('ERR_JWT_EXPIRED');
  });

  it('clock_tolerance extends the cached window exactly as it extends verification', async () => {
    const { authorizer, platform } = setup({ clock_tolerance: 5 });
    const token = await signToken(
      KEY,
      claimsAt(platform.time, { exp: Math.floor(platform.time / 1000) + 10 }),
    );
    expect(await codeOf(authorizer.authenticate(bearer(token)))).toBe('accepted');
    platform.time += 14_000;
    expect(await codeOf(authorizer.authenticate(bearer(token)))).toBe('accepted');
    platform.time += 1_000;
    expect(await codeOf(authorizer.authenticate(bearer(token)))).toBe('ERR_JWT_EXPIRED');
  });

  it('respects nbf if the clock moves back', async () => {
    const { authorizer, platform } = setup();
    const token = await signToken(KEY, claimsAt(platform.time, { nbf: Math.floor(platform.time / 1000) }));
    expect(await codeOf(authorizer.authenticate(bearer(token)))).toBe('accepted');
    platform.time -= 5_000;
    expect(await codeOf(authorizer.authenticate(bearer(token)))).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it('respects max_token_age', async () => {
    const { authorizer, platform } = setup({ max_token_age: 60 });
    const token = await signToken(KEY, claimsAt(platform.time));
    expect(await codeOf(authorizer.authenticate(bearer(token)))).toBe('accepted');
    platform.time += 59_000;
    expect(await codeOf(authorizer.authenticate(bearer(token)))).toBe('accepted');
    platform.time += 2_000;
    expect(await codeOf(authorizer.authenticate(bearer(token)))).toBe('ERR_JWT_EXPIRED');
  });

  it('re-verifies a long-lived token after the entry age (5 minutes)', async () => {
    const { authorizer, platform } = setup({ required_claims: [] });
    const token = await signToken(KEY, claimsAt(platform.time, { exp: undefined }));
    const verify = vi.spyOn(crypto.subtle, 'verify');
    await authorizer.authenticate(bearer(token));
    platform.time += 4 * 60_000;
    await authorizer.authenticate(bearer(token));
    expect(verify).toHaveBeenCalledTimes(1);
    platform.time += 60_000;
    await authorizer.authenticate(bearer(token));
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('is bypassed for a flow audience override, and can be disabled', async () => {
    const { authorizer, platform } = setup({ audience: 'api' });
    const token = await signToken(KEY, claimsAt(platform.time, { aud: 'api' }));
    await authorizer.authenticate(bearer(token));
    expect(await codeOf(authorizer.verifyToken(token, { audience: 'client' }))).toBe(
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    );

    const uncached = setup({}, { cache: false });
    const other = await signToken(KEY, claimsAt(uncached.platform.time));
    const verify = vi.spyOn(crypto.subtle, 'verify');
    await uncached.authorizer.authenticate(bearer(other));
    await uncached.authorizer.authenticate(bearer(other));
    expect(verify).toHaveBeenCalledTimes(2);
  });
});

describe('VerificationCache bounds', () => {
  const settings: AuthorizerSettings = {
    algorithms: ['HS256'],
    clockTolerance: 0,
    requiredClaims: ['exp'],
    keys: {},
  };
  const now = 1_000_000_000_000;
  const claims = { exp: now / 1000 + 3600 };

  it('keeps at most maxEntries, evicting the oldest first', () => {
    const cache = new VerificationCache({ maxEntries: 3, maxChars: 1_000_000, maxEntryAgeMs: 60_000 });
    for (const token of ['a', 'b', 'c']) cache.set(token, claims, now, settings);
    expect(cache.get('a', now)).toBe(claims);
    cache.set('d', claims, now, settings);
    expect(cache.size).toBe(3);
    expect(cache.get('a', now)).toBeUndefined();
    expect(cache.get('b', now)).toBe(claims);
    expect(cache.get('d', now)).toBe(claims);
  });

  it('bounds the total token characters', () => {
    const cache = new VerificationCache({ maxEntries: 100, maxChars: 250, maxEntryAgeMs: 60_000 });
    for (let i = 0; i < 10; i++) cache.set(`${i}`.padEnd(100, 'x'), claims, now, settings);
    expect(cache.size).toBe(2);
  });

  it('does not store a token whose window is already empty', () => {
    const cache = new VerificationCache({ maxEntries: 100, maxChars: 1_000, maxEntryAgeMs: 60_000 });
    cache.set('expired', { exp: now / 1000 - 1 }, now, settings);
    expect(cache.size).toBe(0);
  });
});
