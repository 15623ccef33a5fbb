import { describe, expect, it } from 'vitest';
import type { RouteMethod } from '../config/schema.js';
import { createRouter } from './router.js';

function routerOf(...specs: string[]) {
  return createRouter(
    specs.map((spec) => {
      const [method, path] = spec.split(' ') as [RouteMethod, string];
      return { method, path, value: spec };
    }),
  );
}

describe('explain', () => {
  it('names the winner and why every other matching route loses', () => {
    const router = routerOf(
      'GET /items/{.+}',
      'ANY /items/{id}',
      'GET /items/{id}',
      'POST /items/{id}',
      'GET /items/{key}',
      'GET /other',
    );
    const { winner, lines } = router.explain('GET', '/items/42');
    expect(winner?.value).toBe('GET /items/{id}');
    expect(lines).toEqual([
      'GET /items/42 → #2 GET /items/{id}',
      '  wins: #2 GET /items/{id}, parameter at segment 2',
      '  loses: #4 GET /items/{key}: rule 5, same precedence otherwise, the earlier route wins (#2 before #4)',
      '  loses: #1 ANY /items/{id}: rule 4, a GET route beats ANY',
      '  loses: #0 GET /items/{.+}: rule 1, an all-literal route beats a route with parameters, which beats a wildcard route (param vs wildcard)',
      '  loses: #3 POST /items/{id}: matches the path but does not serve GET',
      '  1 other route does not match the path',
    ]);
  });

  it('explains rules 2 and 3', () => {
    const wildcards = routerOf('GET /{.+}', 'GET /api/v1/proxy/{.+}');
    expect(wildcards.explain('GET', '/api/v1/proxy/x').lines).toContain(
      '  loses: #0 GET /{.+}: rule 2, the longer prefix before the wildcard wins (3 segments vs 0 segments)',
    );
    const params = routerOf('GET /a/{x}/c', 'GET /a/b/{x}');
    expect(params.explain('GET', '/a/b/c').lines).toEqual([
      'GET /a/b/c → #1 GET /a/b/{x}',
      '  wins: #1 GET /a/b/{x}, parameter at segment 3',
      '  loses: #0 GET /a/{x}/c: rule 3, the route whose first parameter comes later wins (parameter at segment 3 vs parameter at segment 2)',
    ]);
  });

  it('explains HEAD served by a GET route', () => {
    const { winner, lines } = routerOf('ANY /x', 'GET /x').explain('HEAD', '/x');
    expect(winner?.value).toBe('GET /x');
    expect(lines).toContain('  loses: #0 ANY /x: rule 4, a GET route serves HEAD before an ANY route does');
  });

  it('explains a 404 and a 405', () => {
    const router = routerOf('GET /x', 'POST /x', 'GET /y');
    expect(router.explain('GET', '/z')).toEqual({
      winner: undefined,
      lines: ['GET /z → 404: no route matches the path', '  3 other routes do not match the path'],
    });
    expect(router.explain('PUT', '/x').lines).toEqual([
      'PUT /x → 405: the path matches, but no route serves PUT (Allow: GET, HEAD, POST)',
      '  loses: #0 GET /x: matches the path but does not serve PUT',
      '  loses: #1 POST /x: matches the path but does not serve PUT',
      '  1 other route does not match the path',
    ]);
  });

  it('agrees with match() on the winner', () => {
    const router = routerOf('GET /a/{x}', 'ANY /a/b', 'GET /{.+}', 'HEAD /a/{x}');
    for (const [method, path] of [
      ['GET', '/a/b'],
      ['HEAD', '/a/c'],
      ['POST', '/a/c'],
      ['GET', '/q'],
    ] as const) {
      const match = router.match(method, path);
      expect(router.explain(method, path).winner?.value).toBe(
        match.kind === 'found' ? match.value : undefined,
      );
    }
  });
});
