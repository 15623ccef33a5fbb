import { describe, expect, it } from 'vitest';
import type { RouteMethod } from '../config/schema.js';
import { createRouter, type RouteMatch } from './router.js';

/** Routes whose value is their own `METHOD path` label, so a match names the route it found. */
function routerOf(...specs: string[]) {
  return createRouter(
    specs.map((spec) => {
      const [method, path] = spec.split(' ') as [RouteMethod, string];
      return { method, path, value: spec };
    }),
  );
}

function winner(match: RouteMatch<string>): string | undefined {
  return match.kind === 'found' ? match.value : undefined;
}

describe('matching', () => {
  it('matches literal routes exactly and case-sensitively', () => {
    const router = routerOf('GET /health', 'GET /Users');
    expect(winner(router.match('GET', '/health'))).toBe('GET /health');
    expect(router.match('GET', '/Health')).toEqual({ kind: 'not-found' });
    expect(router.match('GET', '/users')).toEqual({ kind: 'not-found' });
    expect(winner(router.match('GET', '/Users'))).toBe('GET /Users');
  });

  it('treats a trailing slash as significant', () => {
    const router = routerOf('GET /health', 'GET /dir/');
    expect(router.match('GET', '/health/')).toEqual({ kind: 'not-found' });
    expect(router.match('GET', '/dir')).toEqual({ kind: 'not-found' });
    expect(winner(router.match('GET', '/dir/'))).toBe('GET /dir/');
  });

  it('matches the root path', () => {
    const router = routerOf('GET /');
    expect(winner(router.match('GET', '/'))).toBe('GET /');
    expect(router.match('GET', '/x')).toEqual({ kind: 'not-found' });
  });

  it('binds parameters to the raw canonical segment text', () => {
    const router = routerOf('GET /users/{id}/orders/{orderId}');
    const match = router.match('GET', '/users/a%20b/orders/7');
    expect(match).toEqual({
      kind: 'found',
      value: 'GET /users/{id}/orders/{orderId}',
      params: { id: 'a%20b', orderId: '7' },
      wildcardRest: undefined,
    });
  });

  it('gives params no prototype, so unknown names find nothing', () => {
    const router = routerOf('GET /u/{__proto__}', 'GET /v/{id}');
    const proto = router.match('GET', '/u/x');
    expect(proto.kind === 'found' && proto.params['__proto__']).toBe('x');
    const plain = router.match('GET', '/v/1');
    expect(plain.kind === 'found' && plain.params['constructor']).toBeUndefined();
    const none = routerOf('GET /a').match('GET', '/a');
    expect(none.kind === 'found' && none.params['toString']).toBeUndefined();
  });

  it('needs a non-empty segment for a parameter', () => {
    const router = routerOf('GET /users/{id}', 'GET /users/{id}/');
    expect(router.match('GET', '/users/')).toEqual({ kind: 'not-found' });
    expect(winner(router.match('GET', '/users/1/'))).toBe('GET /users/{id}/');
    expect(router.match('GET', '/users/1/x')).toEqual({ kind: 'not-found' });
  });

  it('matches zero or more segments with a wildcard and returns the rest', () => {
    const router = routerOf('ANY /api/v1/proxy/{.+}');
    const rest = (path: string) => {
      const match = router.match('GET', path);
      return match.kind === 'found' ? match.wildcardRest : match.kind;
    };
    expect(rest('/api/v1/proxy/orders/1')).toBe('orders/1');
    expect(rest('/api/v1/proxy')).toBe('');
    expect(rest('/api/v1/proxy/')).toBe('');
    expect(rest('/api/v1/proxy/a')).toBe('a');
    expect(rest('/api/v1/proxy/a/')).toBe('a/');
    expect(rest('/api/v1/proxyX')).toBe('not-found');
    expect(rest('/api/v1')).toBe('not-found');
  });

  it('strips a prefix containing parameters from the rest as well', () => {
    const match = routerOf('GET /t/{tenant}/files/{.+}').match('GET', '/t/acme/files/a/b.txt');
    expect(match).toEqual({
      kind: 'found',
      value: 'GET /t/{tenant}/files/{.+}',
      params: { tenant: 'acme' },
      wildcardRest: 'a/b.txt',
    });
  });

  it('matches a root wildcard against every path, the root included', () => {
    const router = routerOf('GET /{.+}');
    expect(router.match('GET', '/')).toMatchObject({ kind: 'found', wildcardRest: '' });
    expect(router.match('GET', '/a/b/')).toMatchObject({ kind: 'found', wildcardRest: 'a/b/' });
  });

  it('matches pattern literals written with escapes against canonical paths', () => {
    const router = routerOf('GET /%7Euser/caf%c3%a9');
    expect(winner(router.match('GET', '/~user/caf%C3%A9'))).toBe('GET /%7Euser/caf%c3%a9');
  });

  it('answers not-found for something that is not a path', () => {
    expect(routerOf('GET /{.+}').match('GET', '*')).toEqual({ kind: 'not-found' });
    expect(routerOf('GET /{.+}').match('GET', '')).toEqual({ kind: 'not-found' });
  });

  it('refuses invalid routes when it is built', () => {
    expect(() => routerOf('GET /a/{}')).toThrow('empty parameter name');
    expect(() => createRouter([{ method: 'FETCH' as RouteMethod, path: '/', value: 1 }])).toThrow(
      'unknown method',
    );
  });
});

describe('precedence', () => {
  it('rule 1: an all-literal route beats a parameter route, which beats a wildcard', () => {
    const router = routerOf('GET /items/{.+}', 'GET /items/{id}', 'GET /items/new');
    expect(winner(router.match('GET', '/items/new'))).toBe('GET /items/new');
    expect(winner(router.match('GET', '/items/42'))).toBe('GET /items/{id}');
    expect(winner(router.match('GET', '/items/42/x'))).toBe('GET /items/{.+}');
  });

  it('rule 1: a parameter route beats a wildcard consuming exactly one segment (docs/COMPAT.md row 11)', () => {
    const router = routerOf('GET /items/{.+}', 'GET /items/{id}');
    expect(router.match('GET', '/items/42')).toEqual({
      kind: 'found',
      value: 'GET /items/{id}',
      params: { id: '42' },
      wildcardRest: undefined,
    });
  });

  it('rule 1 comes before rule 4: a literal ANY route beats a parameter GET route', () => {
    const router = routerOf('GET /a/{x}', 'ANY /a/b');
    expect(winner(router.match('GET', '/a/b'))).toBe('ANY /a/b');
  });

  it('rule 2: the wildcard with the longer prefix wins', () => {
    const router = routerOf('GET /{.+}', 'GET /api/{.+}', 'GET /api/v1/proxy/{.+}');
    expect(winner(router.match('GET', '/api/v1/proxy/x'))).toBe('GET /api/v1/proxy/{.+}');
    expect(winner(router.match('GET', '/api/v1/proxy'))).toBe('GET /api/v1/proxy/{.+}');
    expect(winner(router.match('GET', '/api/v1/other'))).toBe('GET /api/{.+}');
    expect(winner(router.match('GET', '/other'))).toBe('GET /{.+}');
  });

  it('rule 2 counts parameter segments of the prefix too', () => {
    const router = routerOf('GET /a/b/{.+}', 'GET /a/{x}/{y}/{.+}');
    expect(winner(router.match('GET', '/a/b/c/d'))).toBe('GET /a/{x}/{y}/{.+}');
    expect(winner(router.match('GET', '/a/b/c'))).toBe('GET /a/{x}/{y}/{.+}');
    expect(winner(router.match('GET', '/a/b'))).toBe('GET /a/b/{.+}');
  });

  it('rule 3: the route whose first parameter comes later wins', () => {
    const router = routerOf('GET /a/{x}/c', 'GET /a/b/{x}');
    expect(winner(router.match('GET', '/a/b/c'))).toBe('GET /a/b/{x}');
    expect(winner(router.match('GET', '/a/z/c'))).toBe('GET /a/{x}/c');
  });

  it('rule 3 then compares the following parameter positions', () => {
    const router = routerOf('GET /{a}/{b}/c/d', 'GET /{a}/b/{c}/d', 'GET /{a}/b/c/{d}');
    expect(winner(router.match('GET', '/x/b/c/d'))).toBe('GET /{a}/b/c/{d}');
    expect(winner(router.match('GET', '/x/b/y/d'))).toBe('GET /{a}/b/{c}/d');
    expect(winner(router.match('GET', '/x/y/c/d'))).toBe('GET /{a}/{b}/c/d');
  });

  it('rule 3 among wildcard routes with prefixes of equal length', () => {
    const router = routerOf('GET /{x}/b/{.+}', 'GET /a/{x}/{.+}');
    expect(winner(router.match('GET', '/a/b/c'))).toBe('GET /a/{x}/{.+}');
  });

  it('rule 3 comes before rule 4: structure wins over the method', () => {
    const router = routerOf('GET /a/{x}/c', 'ANY /a/b/{x}');
    expect(winner(router.match('GET', '/a/b/c'))).toBe('ANY /a/b/{x}');
  });

  it('a better-placed route for another method does not hide a route for this one', () => {
    const router = routerOf('POST /a/b', 'GET /a/{x}', 'GET /{.+}');
    expect(winner(router.match('GET', '/a/b'))).toBe('GET /a/{x}');
    expect(winner(router.match('DELETE', '/a/b'))).toBeUndefined();
    const wildcards = routerOf('POST /a/b/{.+}', 'GET /a/{.+}');
    expect(winner(wildcards.match('GET', '/a/b/c'))).toBe('GET /a/{.+}');
  });

  it("rule 4: a route with the request's own method beats ANY, whatever the order", () => {
    const router = routerOf('ANY /x', 'GET /x', 'POST /x');
    expect(winner(router.match('GET', '/x'))).toBe('GET /x');
    expect(winner(router.match('POST', '/x'))).toBe('POST /x');
    expect(winner(router.match('PUT', '/x'))).toBe('ANY /x');
  });

  it('rule 4 with parameter names that differ between the routes', () => {
    const router = routerOf('ANY /u/{anyId}', 'GET /u/{getId}');
    expect(router.match('GET', '/u/1')).toMatchObject({ value: 'GET /u/{getId}', params: { getId: '1' } });
    expect(router.match('PUT', '/u/1')).toMatchObject({ value: 'ANY /u/{anyId}', params: { anyId: '1' } });
  });

  it('rule 4 for HEAD: a HEAD route, then a GET route, then ANY', () => {
    expect(winner(routerOf('ANY /x', 'GET /x', 'HEAD /x').match('HEAD', '/x'))).toBe('HEAD /x');
    expect(winner(routerOf('ANY /x', 'GET /x').match('HEAD', '/x'))).toBe('GET /x');
    expect(winner(routerOf('ANY /x').match('HEAD', '/x'))).toBe('ANY /x');
    expect(winner(routerOf('GET /x').match('HEAD', '/x'))).toBe('GET /x');
  });

  it('HEAD is not served by a GET route with a worse shape than an ANY route', () => {
    const router = routerOf('GET /a/{x}', 'ANY /a/b');
    expect(winner(router.match('HEAD', '/a/b'))).toBe('ANY /a/b');
  });

  it('rule 5: otherwise the earlier route wins', () => {
    const router = createRouter([
      { method: 'GET', path: '/a/{x}', value: 'first' },
      { method: 'GET', path: '/a/{y}', value: 'second' },
    ]);
    expect(router.match('GET', '/a/1')).toMatchObject({ value: 'first', params: { x: '1' } });
    const wildcards = createRouter([
      { method: 'ANY', path: '/p/{.+}', value: 'first' },
      { method: 'ANY', path: '/p/{.+}', value: 'second' },
    ]);
    expect(winner(wildcards.match('GET', '/p/q'))).toBe('first');
  });
});

describe('404 and 405', () => {
  it('answers not-found when no route matches the path', () => {
    expect(routerOf('GET /a').match('GET', '/b')).toEqual({ kind: 'not-found' });
    expect(createRouter([]).match('GET', '/')).toEqual({ kind: 'not-found' });
  });

  it('answers method-not-allowed with a sorted Allow list including HEAD wherever GET is', () => {
    const router = routerOf('POST /x', 'GET /x', 'DELETE /x');
    expect(router.match('PUT', '/x')).toEqual({
      kind: 'method-not-allowed',
      allow: ['DELETE', 'GET', 'HEAD', 'POST'],
    });
  });

  it('collects Allow from every route matching the path, wildcards included', () => {
    const router = routerOf('GET /a/b', 'POST /a/{x}', 'PATCH /{.+}', 'PUT /other');
    expect(router.match('DELETE', '/a/b')).toEqual({
      kind: 'method-not-allowed',
      allow: ['GET', 'HEAD', 'PATCH', 'POST'],
    });
  });

  it('does not list HEAD for a HEAD-only or POST-only path unless declared', () => {
    expect(routerOf('HEAD /x').match('GET', '/x')).toEqual({ kind: 'method-not-allowed', allow: ['HEAD'] });
    expect(routerOf('POST /x').match('HEAD', '/x')).toEqual({ kind: 'method-not-allowed', allow: ['POST'] });
  });

  it('never answers 405 when an ANY route matches the path', () => {
    const router = routerOf('GET /x', 'ANY /{.+}');
    expect(winner(router.match('POST', '/x'))).toBe('ANY /{.+}');
    expect(winner(router.match('BREW', '/x'))).toBe('ANY /{.+}');
  });

  it('compares methods exactly (RFC 9110 §9.1: methods are case-sensitive)', () => {
    expect(routerOf('GET /x').match('get', '/x')).toEqual({
      kind: 'method-not-allowed',
      allow: ['GET', 'HEAD'],
    });
  });
});

describe('hasExplicitMethod', () => {
  it('is true only for a route declaring exactly the method for the path', () => {
    const router = routerOf('OPTIONS /cors/{id}', 'ANY /any', 'GET /get', 'OPTIONS /wild/{.+}');
    expect(router.hasExplicitMethod('OPTIONS', '/cors/1')).toBe(true);
    expect(router.hasExplicitMethod('OPTIONS', '/wild/a/b')).toBe(true);
    expect(router.hasExplicitMethod('OPTIONS', '/wild')).toBe(true);
    expect(router.hasExplicitMethod('OPTIONS', '/any')).toBe(false);
    expect(router.hasExplicitMethod('OPTIONS', '/get')).toBe(false);
    expect(router.hasExplicitMethod('OPTIONS', '/unknown')).toBe(false);
    expect(router.hasExplicitMethod('GET', '/get')).toBe(true);
    expect(router.hasExplicitMethod('HEAD', '/get')).toBe(false);
    expect(router.hasExplicitMethod('ANY', '/any')).toBe(false);
  });

  it('counts a matching route even when another route would win the request', () => {
    const router = routerOf('ANY /a/b', 'OPTIONS /a/{x}');
    expect(router.hasExplicitMethod('OPTIONS', '/a/b')).toBe(true);
  });
});

describe('list', () => {
  it('lists every route in precedence order', () => {
    const router = routerOf(
      'GET /{.+}',
      'ANY /a/{x}',
      'GET /a/{x}',
      'GET /a/b/{.+}',
      'GET /a/{x}/c',
      'GET /a/b/{x}',
      'POST /health',
      'ANY /health',
      'GET /health',
    );
    expect(router.list().map((route) => route.value)).toEqual([
      'POST /health',
      'GET /health',
      'ANY /health',
      'GET /a/b/{x}',
      'GET /a/{x}',
      'GET /a/{x}/c',
      'ANY /a/{x}',
      'GET /a/b/{.+}',
      'GET /{.+}',
    ]);
  });

  it('returns the route definitions it was given', () => {
    const definition = { method: 'GET', path: '/a', value: 1 } as const;
    expect(createRouter([definition]).list()[0]).toBe(definition);
  });
});
