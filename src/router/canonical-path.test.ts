import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/gateway-error.js';
import { canonicalizePath, canonicalizeSegment } from './canonical-path.js';

function rejection(pathname: string): GatewayError {
  try {
    canonicalizePath(pathname);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error(`expected ${pathname} to be rejected`);
}

describe('canonicalizePath', () => {
  it('returns an already canonical path as the very same string', () => {
    for (const path of ['/', '/health', '/health/', '/api/v1/users/42', '/a.b/c..d/e.', '/~user/a-b_c']) {
      expect(canonicalizePath(path)).toBe(path);
    }
  });

  it('resolves dot segments', () => {
    expect(canonicalizePath('/public/../admin')).toBe('/admin');
    expect(canonicalizePath('/a/./b')).toBe('/a/b');
    expect(canonicalizePath('/a/b/../../c')).toBe('/c');
    expect(canonicalizePath('/a/b/..')).toBe('/a/');
    expect(canonicalizePath('/a/.')).toBe('/a/');
    expect(canonicalizePath('/a/./')).toBe('/a/');
  });

  it('resolves encoded dot segments in every spelling', () => {
    expect(canonicalizePath('/public/%2e%2e/admin')).toBe('/admin');
    expect(canonicalizePath('/public/%2E%2E/admin')).toBe('/admin');
    expect(canonicalizePath('/public/%2e%2E/admin')).toBe('/admin');
    expect(canonicalizePath('/public/.%2e/admin')).toBe('/admin');
    expect(canonicalizePath('/public/%2e./admin')).toBe('/admin');
    expect(canonicalizePath('/a/%2e/b')).toBe('/a/b');
  });

  it('keeps `..` above the root at the root', () => {
    expect(canonicalizePath('/..')).toBe('/');
    expect(canonicalizePath('/../admin')).toBe('/admin');
    expect(canonicalizePath('/a/../../../admin')).toBe('/admin');
    expect(canonicalizePath('/%2e%2e/%2e%2e/etc')).toBe('/etc');
  });

  it('keeps dots that are part of a segment name', () => {
    expect(canonicalizePath('/a/.well-known/x')).toBe('/a/.well-known/x');
    expect(canonicalizePath('/a/...')).toBe('/a/...');
    expect(canonicalizePath('/a/..b')).toBe('/a/..b');
  });

  it('merges repeated slashes', () => {
    expect(canonicalizePath('//admin')).toBe('/admin');
    expect(canonicalizePath('/a//b///c')).toBe('/a/b/c');
    expect(canonicalizePath('//')).toBe('/');
    expect(canonicalizePath('/a//')).toBe('/a/');
  });

  it('keeps a trailing slash, which is significant', () => {
    expect(canonicalizePath('/health/')).toBe('/health/');
    expect(canonicalizePath('/health/%7E/')).toBe('/health/~/');
  });

  it('decodes unreserved characters and uppercases the other escapes', () => {
    expect(canonicalizePath('/%7Euser')).toBe('/~user');
    expect(canonicalizePath('/%7euser')).toBe('/~user');
    expect(canonicalizePath('/%41%62%2D%5F%30')).toBe('/Ab-_0');
    expect(canonicalizePath('/a%20b')).toBe('/a%20b');
    expect(canonicalizePath('/caf%c3%a9')).toBe('/caf%C3%A9');
    expect(canonicalizePath('/100%25')).toBe('/100%25');
    expect(canonicalizePath('/a%3a%40b')).toBe('/a%3A%40b');
  });

  it('does not decode twice, and refuses what a second decoding would turn into a separator or dot', () => {
    expect(canonicalizePath('/%2541/%2520')).toBe('/%2541/%2520');
    for (const path of ['/%252e%252e/admin', '/%252F', '/a%255Cb', '/a%253b', '/a%250d'])
      expect(() => canonicalizePath(path), path).toThrow(GatewayError);
  });

  it('refuses escapes no UTF-8 text contains (overlong %C0%AE was read as a dot)', () => {
    for (const path of ['/%c0%ae%c0%ae/admin', '/%C1%9C', '/%f5%80', '/%ff'])
      expect(() => canonicalizePath(path), path).toThrow(GatewayError);
    expect(canonicalizePath('/%c3%a9')).toBe('/%C3%A9');
  });

  it('is idempotent', () => {
    const samples = ['/a/%2e%2E/b', '//x//y/', '/%7e/%c3%a9/./..', '/a/b/%2e', '/%41/%2E%2E/%42/'];
    for (const path of samples) {
      const once = canonicalizePath(path);
      expect(canonicalizePath(once)).toBe(once);
    }
  });

  it.each([
    ['/admin%2Fx', 'encoded slash'],
    ['/admin%2fx', 'encoded slash'],
    ['/a%5cb', 'encoded backslash'],
    ['/a%5Cb', 'encoded backslash'],
    ['/a\\b', 'backslash'],
    ['/a\u0000b', 'NUL'],
    ['/a%00b', 'encoded NUL'],
    ['/a%zz', 'invalid percent-encoding'],
    ['/a%4', 'invalid percent-encoding'],
    ['/a%', 'invalid percent-encoding'],
    ['/a%g1/b', 'invalid percent-encoding'],
    ['admin', 'does not start with /'],
    ['', 'does not start with /'],
    ['*', 'does not start with /'],
  ])('rejects %j with ERR_BAD_REQUEST (%s)', (path, reason) => {
    const error = rejection(path);
    expect(error.code).toBe('ERR_BAD_REQUEST');
    expect(String(error.detail?.reason)).toContain(reason);
  });

  it('rejects a malformed segment even when a later `..` would remove it', () => {
    expect(rejection('/a/%zz/../b').code).toBe('ERR_BAD_REQUEST');
    expect(rejection('/a/%2F/../b').code).toBe('ERR_BAD_REQUEST');
  });
});

describe('canonicalizeSegment', () => {
  it('returns the same string when there is nothing to decode', () => {
    const segment = 'plain-segment';
    expect(canonicalizeSegment(segment)).toBe(segment);
  });

  it('decodes unreserved characters between other text', () => {
    expect(canonicalizeSegment('a%7Eb%41c%3fd')).toBe('a~bAc%3Fd');
  });
});
