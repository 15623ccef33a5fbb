import { describe, expect, it } from 'vitest';
import { findDuplicateRoutes } from './router.js';

describe('findDuplicateRoutes', () => {
  it('pairs routes with the same method and path pattern, ignoring parameter names', () => {
    expect(
      findDuplicateRoutes([
        { method: 'GET', path: '/a/{x}' },
        { method: 'POST', path: '/a/{x}' },
        { method: 'GET', path: '/a/{y}' },
        { method: 'GET', path: '/a/{x}' },
      ]),
    ).toEqual([
      { first: 0, duplicate: 2 },
      { first: 0, duplicate: 3 },
    ]);
  });

  it('compares literals in canonical spelling', () => {
    expect(
      findDuplicateRoutes([
        { method: 'GET', path: '/~user/{.+}' },
        { method: 'GET', path: '/%7Euser/{.+}' },
      ]),
    ).toEqual([{ first: 0, duplicate: 1 }]);
  });

  it('keeps apart what matches different paths or methods', () => {
    expect(
      findDuplicateRoutes([
        { method: 'GET', path: '/a' },
        { method: 'GET', path: '/a/' },
        { method: 'GET', path: '/A' },
        { method: 'GET', path: '/a/{x}' },
        { method: 'GET', path: '/a/{.+}' },
        { method: 'HEAD', path: '/a' },
        { method: 'ANY', path: '/a' },
      ]),
    ).toEqual([]);
  });

  it('skips patterns that do not parse (they are reported on their own)', () => {
    expect(
      findDuplicateRoutes([
        { method: 'GET', path: '/{}' },
        { method: 'GET', path: '/{}' },
      ]),
    ).toEqual([]);
  });
});
