import { describe, expect, it } from 'vitest';
import { isGatewayError, type GatewayError } from '../errors/gateway-error.js';
import { renderGatewayError } from '../errors/render.js';
import { requireScopes, tokenScopes } from './scopes.js';

function refusal(run: () => void): GatewayError {
  try {
    run();
  } catch (error) {
    if (isGatewayError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('requireScopes', () => {
  it.each([
    ['scope (space-separated)', { scope: 'read:orders write:orders' }],
    ['scp (array)', { scp: ['read:orders', 'write:orders'] }],
    ['scp (string)', { scp: 'read:orders write:orders' }],
    ['scopes (array)', { scopes: ['read:orders', 'write:orders'] }],
    ['split across claims', { scope: 'read:orders', scp: ['write:orders'] }],
  ])('finds scopes in %s', (_name, claims) => {
    expect(() => requireScopes(claims, ['read:orders', 'write:orders'])).not.toThrow();
  });

  it('a missing scope → 403 ERR_INSUFFICIENT_SCOPE with an insufficient_scope challenge', async () => {
    const error = refusal(() => requireScopes({ scope: 'read:orders' }, ['read:orders', 'write:orders']));
    const response = renderGatewayError(error);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'Insufficient scope', code: 'ERR_INSUFFICIENT_SCOPE' });
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="read:orders write:orders"',
    );
    expect(error.detail).toMatchObject({ check: 'scope', message: 'missing scope write:orders' });
  });

  it('no scope claims at all → 403; scope matching is exact (no prefixes)', () => {
    expect(refusal(() => requireScopes({}, ['admin'])).code).toBe('ERR_INSUFFICIENT_SCOPE');
    expect(refusal(() => requireScopes({ scope: 'administrator' }, ['admin'])).code).toBe(
      'ERR_INSUFFICIENT_SCOPE',
    );
    expect(refusal(() => requireScopes({ scp: [1, 2] as unknown as string[] }, ['1'])).code).toBe(
      'ERR_INSUFFICIENT_SCOPE',
    );
  });

  it('an empty list requires nothing', () => {
    expect(() => requireScopes({}, [])).not.toThrow();
  });

  it('keeps unsafe characters out of the challenge header', () => {
    const error = refusal(() => requireScopes({}, ['ok', 'bad"scope', 'back\\slash']));
    expect(error.headers?.['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="ok"');
  });

  it('parses each claims object once', () => {
    const claims = Object.freeze({ scope: 'a b' });
    expect(tokenScopes(claims)).toBe(tokenScopes(claims));
  });
});
