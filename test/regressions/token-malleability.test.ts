import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { bodyOf, startHostileSetup, type HostileSetup } from './harness.js';

/**
 * Class: several spellings of one token. In a base64url part whose length is 2 or 3 modulo 4 the
 * last character carries unused bits that decoders ignore, so flipping them gives a different
 * string that verifies the same (a second cache key, a bypass of replay lists keyed by the
 * string). Only the canonical spelling is accepted, before any verification.
 */
const SECRET = 'm'.repeat(32);
let gw: HostileSetup;
let token: string;

beforeAll(async () => {
  gw = await startHostileSetup((upstream) => ({
    servers: [{ alias: 'up', url: upstream }],
    authorizer: { type: 'jwt', secret: SECRET },
    paths: [{ method: 'GET', path: '/p', auth: true, integration: { type: 'http_proxy', server: 'up' } }],
  }));
  token = await new SignJWT({ sub: 'u1', pad: 'ab' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same token with the lowest bit of one part's last character flipped. */
function flipLastBit(jwt: string, part: number): string {
  const parts = jwt.split('.');
  const text = parts[part] ?? '';
  const last = ALPHABET.indexOf(text.charAt(text.length - 1));
  parts[part] = text.slice(0, -1) + ALPHABET.charAt(last ^ 1);
  return parts.join('.');
}

it('the canonical token is accepted', async () => {
  expect((await gw.send('GET', '/p', [`Authorization: Bearer ${token}`])).status).toBe(200);
});

it('flipping the low bit of the last signature character is refused before verification', async () => {
  // A 32-byte HS256 signature is 43 characters: 43 % 4 = 3, two unused bits.
  expect((token.split('.')[2] ?? '').length % 4).toBe(3);
  const response = await gw.send('GET', '/p', [`Authorization: Bearer ${flipLastBit(token, 2)}`]);
  expect(response.status).toBe(401);
  expect(bodyOf(response)).toMatchObject({ code: 'ERR_JWS_INVALID' });
  expect(gw.upstream.requests).toHaveLength(0);
});

it('the same holds for the header and payload parts when they have unused bits', async () => {
  for (const part of [0, 1]) {
    if ((token.split('.')[part] ?? '').length % 4 < 2) continue;
    const response = await gw.send('GET', '/p', [`Authorization: Bearer ${flipLastBit(token, part)}`]);
    expect(response.status, `part ${part}`).toBe(401);
  }
  expect(gw.upstream.requests).toHaveLength(0);
});
