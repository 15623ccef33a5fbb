import { describe, expect, it } from 'vitest';
import { isGatewayError, type GatewayError } from '../errors/gateway-error.js';
import { renderGatewayError } from '../errors/render.js';
import { extractBearerToken, MAX_TOKEN_LENGTH } from './bearer.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';

function refusal(init: HeadersInit): GatewayError {
  try {
    extractBearerToken(new Headers(init));
  } catch (error) {
    if (isGatewayError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('extractBearerToken', () => {
  it.each([
    ['Bearer', TOKEN],
    ['bearer', TOKEN],
    ['BEARER', TOKEN],
    ['BeArEr', TOKEN],
  ])('accepts the scheme in any case (%s)', (scheme, token) => {
    expect(extractBearerToken(new Headers({ authorization: `${scheme} ${token}` }))).toBe(token);
  });

  it('accepts several spaces between scheme and token, and surrounding whitespace', () => {
    expect(extractBearerToken(new Headers({ authorization: `  Bearer    ${TOKEN}  ` }))).toBe(TOKEN);
  });

  it('accepts an empty signature part (so alg none is refused by the alg check, not the parser)', () => {
    expect(
      extractBearerToken(new Headers({ authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.' })),
    ).toBe('eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.');
  });

  it.each([
    ['no Authorization header', {}],
    ['another scheme', { authorization: `Basic ${btoa('a:b')}` }],
    ['a token without scheme', { authorization: TOKEN }],
    ['the scheme alone', { authorization: 'Bearer' }],
    ['the scheme and spaces only', { authorization: 'Bearer    ' }],
  ])('%s → AUTH_ERROR with a bare Bearer challenge', (_name, init) => {
    const error = refusal(init);
    expect(error.code).toBe('AUTH_ERROR');
    expect(error.headers).toEqual({ 'www-authenticate': 'Bearer' });
  });

  it.each([
    [
      'two Authorization headers',
      () => {
        const headers = new Headers();
        headers.append('authorization', `Bearer ${TOKEN}`);
        headers.append('authorization', `Bearer ${TOKEN}`);
        return headers;
      },
    ],
    ['two credentials', () => new Headers({ authorization: `Bearer ${TOKEN} ${TOKEN}` })],
    [
      'a tab inside the token',
      () => new Headers({ authorization: `Bearer ${TOKEN.slice(0, 5)}\t${TOKEN.slice(5)}` }),
    ],
    ['a tab as separator', () => new Headers({ authorization: `Bearer\t${TOKEN}` })],
    [
      'a token over 8 KiB',
      () => new Headers({ authorization: `Bearer ${'a'.repeat(MAX_TOKEN_LENGTH)}.b.c` }),
    ],
    ['a header far over 8 KiB', () => new Headers({ authorization: `Bearer ${'a'.repeat(100_000)}` })],
  ])('%s → AUTH_ERROR with an invalid_token challenge', (_name, make) => {
    let error: unknown;
    try {
      extractBearerToken(make());
    } catch (caught) {
      error = caught;
    }
    expect(isGatewayError(error)).toBe(true);
    expect((error as GatewayError).code).toBe('AUTH_ERROR');
    expect((error as GatewayError).headers).toEqual({ 'www-authenticate': 'Bearer error="invalid_token"' });
  });

  it.each([
    ['two parts', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0'],
    ['four parts', `${TOKEN}.abc`],
    ['base64 padding', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0=.c2lnbmF0dXJl'],
    ['a "+" character', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln+bmF0dXJl'],
    ['a "/" character', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln/bmF0dXJl'],
    ['an empty header part', '.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
    ['an empty payload part', 'eyJhbGciOiJIUzI1NiJ9..c2lnbmF0dXJl'],
    ['a quote', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0".c2lnbmF0dXJl'],
    ['non-ASCII', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0é.c2lnbmF0dXJl'],
    ['an impossible base64url length', 'eyJhbGciOiJIUzI1NiJ9a.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
  ])('a single credential with %s → ERR_JWS_INVALID', (_name, token) => {
    const error = refusal({ authorization: `Bearer ${token}` });
    expect(error.code).toBe('ERR_JWS_INVALID');
    expect(error.headers).toEqual({ 'www-authenticate': 'Bearer error="invalid_token"' });
  });

  it('a five-part compact JWE → ERR_JWE_INVALID (encrypted tokens are not accepted)', () => {
    const error = refusal({
      authorization: 'Bearer eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn',
    });
    expect(error.code).toBe('ERR_JWE_INVALID');
  });

  it('names a foreign scheme, but never echoes a credential sent without one', () => {
    expect(refusal({ authorization: 'Basic dXNlcjpwYXNz' }).detail?.actual).toBe(
      'scheme "Basic", not Bearer',
    );
    const bare = refusal({ authorization: 'sk_live_0123456789abcdef' });
    expect(JSON.stringify(bare.detail)).not.toContain('sk_live');
  });

  it('never puts the token into the error detail or the body', async () => {
    const secretLooking = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtdXNlciJ9=.c2lnbmF0dXJl';
    const error = refusal({ authorization: `Bearer ${secretLooking}` });
    expect(JSON.stringify(error.detail)).not.toContain('eyJzdWIiOiJzZWNyZXQtdXNlciJ9');
    const body = await renderGatewayError(error).text();
    expect(body).toBe('{"error":"Invalid JWS","code":"ERR_JWS_INVALID"}');
  });
});
