import { describe, expect, it } from 'vitest';
import { parsePathPattern, patternMatches, patternShape } from './pattern.js';

function parsed(path: string) {
  const result = parsePathPattern(path);
  if (!result.ok) throw new Error(`${path}: ${result.error}`);
  return result.pattern;
}

function errorOf(path: string): string {
  const result = parsePathPattern(path);
  if (result.ok) throw new Error(`${path} should not parse`);
  return result.error;
}

describe('parsePathPattern', () => {
  it('parses literal, parameter and wildcard segments', () => {
    expect(parsed('/users/{id}/orders')).toEqual({
      source: '/users/{id}/orders',
      segments: [
        { kind: 'literal', value: 'users' },
        { kind: 'param', name: 'id' },
        { kind: 'literal', value: 'orders' },
      ],
      wildcard: false,
    });
    expect(parsed('/proxy/{.+}')).toEqual({
      source: '/proxy/{.+}',
      segments: [{ kind: 'literal', value: 'proxy' }],
      wildcard: true,
    });
    expect(parsed('/{.+}').segments).toEqual([]);
  });

  it('keeps a trailing slash as a final empty literal', () => {
    expect(parsed('/health/').segments).toEqual([
      { kind: 'literal', value: 'health' },
      { kind: 'literal', value: '' },
    ]);
    expect(parsed('/').segments).toEqual([{ kind: 'literal', value: '' }]);
  });

  it('canonicalizes literal segments like request paths', () => {
    expect(parsed('/%7Euser/%41').segments).toEqual([
      { kind: 'literal', value: '~user' },
      { kind: 'literal', value: 'A' },
    ]);
    expect(parsed('/a%3ab').segments).toEqual([{ kind: 'literal', value: 'a%3Ab' }]);
  });

  it('encodes what the URL parser encodes, so config text meets runtime pathnames', () => {
    for (const literal of ['café', 'hello world', 'a"b', 'a<b>', 'a`b']) {
      const pathname = new URL(`http://h/${literal}`).pathname;
      expect(parsed(`/${literal}`).segments).toEqual([{ kind: 'literal', value: pathname.slice(1) }]);
    }
  });

  it('accepts parameter names of letters, digits and underscores', () => {
    expect(parsed('/{_a1}/{B_2}').segments).toEqual([
      { kind: 'param', name: '_a1' },
      { kind: 'param', name: 'B_2' },
    ]);
  });

  it.each([
    ['users', 'must start with "/"'],
    ['', 'must start with "/"'],
    ['/{.+}/more', '"{.+}" is only allowed as the last segment'],
    ['/{.+}/', '"{.+}" is only allowed as the last segment'],
    ['/a/{}', 'empty parameter name "{}"'],
    ['/a{id}', 'braces inside the literal segment "a{id}"'],
    ['/a/{id}x', 'braces inside the literal segment "{id}x"'],
    ['/a/b}', 'braces inside the literal segment "b}"'],
    ['/{1st}', 'invalid parameter name "{1st}"'],
    ['/{a-b}', 'invalid parameter name "{a-b}"'],
    ['/{proxy+}', 'the greedy wildcard is written "{.+}"'],
    ['/{id}/x/{id}', 'duplicate parameter name "{id}"'],
    ['/a//b', 'empty segment ("//")'],
    ['/a/../b', 'dot segment ".."'],
    ['/a/%2e', 'dot segment "%2e"'],
    ['/a%2Fb', 'encoded slash'],
    ['/a%zz', 'invalid percent-encoding'],
    ['/a\\b', 'backslash'],
    ['/a?x=1', 'must not contain "?" or "#"'],
    ['/a#top', 'must not contain "?" or "#"'],
  ])('refuses %j: %s', (path, message) => {
    expect(errorOf(path)).toContain(message);
  });

  it('lets a validator read `.error` without narrowing', () => {
    expect(parsePathPattern('/ok').error).toBeUndefined();
    expect(parsePathPattern('/{}').error).toBe('empty parameter name "{}"');
  });
});

describe('patternShape', () => {
  it('ignores parameter names and canonicalizes literals', () => {
    expect(patternShape(parsed('/a/{x}'))).toBe(patternShape(parsed('/a/{y}')));
    expect(patternShape(parsed('/%7E/{.+}'))).toBe(patternShape(parsed('/~/{.+}')));
    expect(patternShape(parsed('/a'))).not.toBe(patternShape(parsed('/a/')));
    expect(patternShape(parsed('/a/{x}'))).not.toBe(patternShape(parsed('/a/{.+}')));
  });
});

describe('patternMatches', () => {
  const parts = (path: string) => path.split('/');

  it('matches a wildcard against zero or more segments, never a longer first segment', () => {
    const pattern = parsed('/proxy/{.+}');
    for (const path of ['/proxy', '/proxy/', '/proxy/a', '/proxy/a/b']) {
      expect(patternMatches(pattern, parts(path))).toBe(true);
    }
    expect(patternMatches(pattern, parts('/proxyX'))).toBe(false);
    expect(patternMatches(pattern, parts('/'))).toBe(false);
  });

  it('matches a parameter against exactly one non-empty segment', () => {
    const pattern = parsed('/users/{id}');
    expect(patternMatches(pattern, parts('/users/42'))).toBe(true);
    expect(patternMatches(pattern, parts('/users/'))).toBe(false);
    expect(patternMatches(pattern, parts('/users/42/x'))).toBe(false);
  });
});
