import { describe, expect, it } from 'vitest';
import { readClaim } from './claims.js';
import { headerValueRefusal, isHeaderName, queryValueRefusal, toText } from './text.js';

describe('readClaim', () => {
  const claims = {
    sub: 'user-1',
    'org.id': 'literal-wins',
    org: { id: 'nested', name: 'Acme', team: { lead: 'ada' } },
    user: { profile: { email: 'a@example.com' } },
    roles: ['admin', 'dev'],
    'https://example.com/roles': ['ns'],
    zero: 0,
    off: false,
    nothing: null,
  };

  it('reads top-level claims', () => {
    expect(readClaim(claims, 'sub')).toBe('user-1');
    expect(readClaim(claims, 'zero')).toBe(0);
    expect(readClaim(claims, 'off')).toBe(false);
    expect(readClaim(claims, 'nothing')).toBeNull();
    expect(readClaim(claims, 'https://example.com/roles')).toEqual(['ns']);
  });

  it('prefers a top-level claim with the literal dotted name', () => {
    expect(readClaim(claims, 'org.id')).toBe('literal-wins');
  });

  it('walks nested objects otherwise', () => {
    expect(readClaim(claims, 'org.name')).toBe('Acme');
    expect(readClaim(claims, 'org.team.lead')).toBe('ada');
    expect(readClaim(claims, 'user.profile.email')).toBe('a@example.com');
    expect(readClaim(claims, 'user.profile')).toEqual({ email: 'a@example.com' });
  });

  it('indexes arrays with canonical indices only', () => {
    expect(readClaim(claims, 'roles.1')).toBe('dev');
    expect(readClaim(claims, 'roles.01')).toBeUndefined();
    expect(readClaim(claims, 'roles.length')).toBeUndefined();
    expect(readClaim(claims, 'roles.2')).toBeUndefined();
  });

  it('returns undefined for missing paths and missing claims', () => {
    expect(readClaim(claims, 'missing')).toBeUndefined();
    expect(readClaim(claims, 'org.missing.deeper')).toBeUndefined();
    expect(readClaim(claims, 'sub.length')).toBeUndefined();
    expect(readClaim(claims, 'org..id')).toBeUndefined();
    expect(readClaim(undefined, 'sub')).toBeUndefined();
  });

  it('never reads the prototype chain', () => {
    expect(readClaim(claims, 'constructor')).toBeUndefined();
    expect(readClaim(claims, '__proto__')).toBeUndefined();
    expect(readClaim(claims, 'org.constructor.name')).toBeUndefined();
    expect(readClaim(claims, 'sub.constructor')).toBeUndefined();
    expect(readClaim(claims, 'roles.map')).toBeUndefined();
  });
});

describe('toText', () => {
  it.each([
    ['a string', 'abc', 'abc'],
    ['a number', 42, '42'],
    ['a float', 1.5, '1.5'],
    ['zero', 0, '0'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['an array', ['a', 'b', 3], 'a,b,3'],
    ['an array of objects', [{ a: 1 }, 'x'], '{"a":1},x'],
    ['a nested array', [['a', 'b'], 'c'], 'a,b,c'],
    ['an object', { id: 7, name: 'x' }, '{"id":7,"name":"x"}'],
    ['null', null, undefined],
    ['undefined', undefined, undefined],
    ['an empty string', '', undefined],
    ['an empty array', [], undefined],
  ])('converts %s', (_what, value, expected) => {
    expect(toText(value)).toBe(expected);
  });
});

describe('header and query refusals', () => {
  it.each(['ok', 'with space and\ttab', 'Zoë (latin-1 obs-text)', '{"a":[1,2]}'])(
    'accepts the header value %j',
    (value) => {
      expect(headerValueRefusal(value)).toBeUndefined();
    },
  );

  it.each([
    ['x\r\nSet-Cookie: a=b', 'CR, LF or NUL'],
    ['x\nInjected: 1', 'CR, LF or NUL'],
    ['x\ry', 'CR, LF or NUL'],
    ['x\0y', 'CR, LF or NUL'],
    ['bell\x07', 'not valid header text'],
    ['del\x7f', 'not valid header text'],
    ['名前', 'not valid header text'],
  ])('refuses the header value %j', (value, reason) => {
    expect(headerValueRefusal(value)).toContain(reason);
  });

  it('refuses CR, LF and NUL in query values only', () => {
    expect(queryValueRefusal('a b&c=d 名前')).toBeUndefined();
    expect(queryValueRefusal('a\r\nb')).toContain('CR, LF or NUL');
    expect(queryValueRefusal('a\0b')).toContain('CR, LF or NUL');
  });

  it('knows header names', () => {
    expect(isHeaderName('X-User-Id')).toBe(true);
    expect(isHeaderName('x_user.id')).toBe(true);
    expect(isHeaderName('X User')).toBe(false);
    expect(isHeaderName('X:User')).toBe(false);
    expect(isHeaderName('')).toBe(false);
  });
});
