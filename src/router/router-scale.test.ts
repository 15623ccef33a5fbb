import { describe, expect, it } from 'vitest';
import type { RouteMethod } from '../config/schema.js';
import { createRouter, type RouteDefinition, type RouteMatch } from './router.js';

describe('a large router', () => {
  it('returns the right route among 10,000', () => {
    const routes: RouteDefinition<number>[] = [];
    for (let i = 0; i < 10_000; i++) routes.push({ method: 'GET', path: `/r${i}/items/{id}`, value: i });
    routes.push({ method: 'ANY', path: '/r9999/{.+}', value: -1 });
    const router = createRouter(routes);
    expect(router.match('GET', '/r0/items/a')).toMatchObject({
      kind: 'found',
      value: 0,
      params: { id: 'a' },
    });
    expect(router.match('GET', '/r5000/items/42')).toMatchObject({ value: 5000, params: { id: '42' } });
    expect(router.match('GET', '/r9999/items/z')).toMatchObject({ value: 9999, params: { id: 'z' } });
    expect(router.match('POST', '/r9999/items/z')).toMatchObject({ value: -1, wildcardRest: 'items/z' });
    expect(router.match('POST', '/r1234/items/z')).toEqual({
      kind: 'method-not-allowed',
      allow: ['GET', 'HEAD'],
    });
    expect(router.match('GET', '/r10000/items/z')).toEqual({ kind: 'not-found' });
    expect(router.match('GET', '/r1/items')).toEqual({ kind: 'not-found' });
    expect(router.list()).toHaveLength(10_001);
  });
});

/**
 * The rules of docs/BEHAVIOUR.md read literally, one route at a time: an oracle written apart from
 * the tree and from precedence.ts, so a disagreement points at a real bug.
 */
function oracle(
  routes: readonly RouteDefinition<number>[],
  method: string,
  path: string,
): RouteMatch<number> {
  const parts = path.split('/').slice(1);
  const matching = routes.flatMap((route, index) => {
    const segments = route.path.split('/').slice(1);
    const wildcard = segments.at(-1) === '{.+}';
    const prefix = wildcard ? segments.slice(0, -1) : segments;
    if (wildcard ? parts.length < prefix.length : parts.length !== prefix.length) return [];
    const params: Record<string, string> = {};
    for (const [k, segment] of prefix.entries()) {
      const part = parts[k] as string;
      if (segment.startsWith('{')) {
        if (part === '') return [];
        params[segment.slice(1, -1)] = part;
      } else if (segment !== part) return [];
    }
    const paramPositions = prefix.flatMap((segment, k) => (segment.startsWith('{') ? [k] : []));
    const kind = wildcard ? 2 : paramPositions.length > 0 ? 1 : 0;
    const rest = wildcard ? parts.slice(prefix.length).join('/') : undefined;
    return [{ route, index, params, kind, prefixLength: prefix.length, paramPositions, rest }];
  });
  const methodRank = (routeMethod: string) =>
    routeMethod === method
      ? 0
      : method === 'HEAD' && routeMethod === 'GET'
        ? 1
        : routeMethod === 'ANY'
          ? 2
          : 3;
  const serving = matching.filter((candidate) => methodRank(candidate.route.method) < 3);
  serving.sort((a, b) => {
    if (a.kind !== b.kind) return a.kind - b.kind;
    if (a.kind === 2 && a.prefixLength !== b.prefixLength) return b.prefixLength - a.prefixLength;
    for (let k = 0; k < Math.max(a.paramPositions.length, b.paramPositions.length); k++) {
      const pa = a.paramPositions[k] ?? Infinity;
      const pb = b.paramPositions[k] ?? Infinity;
      if (pa !== pb) return pa > pb ? -1 : 1;
    }
    const byMethod = methodRank(a.route.method) - methodRank(b.route.method);
    return byMethod !== 0 ? byMethod : a.index - b.index;
  });
  const best = serving[0];
  if (best) return { kind: 'found', value: best.route.value, params: best.params, wildcardRest: best.rest };
  if (matching.length === 0) return { kind: 'not-found' };
  const allow = new Set(
    matching.flatMap(({ route }) => (route.method === 'GET' ? ['GET', 'HEAD'] : [route.method])),
  );
  return { kind: 'method-not-allowed', allow: [...allow].sort() };
}

/** mulberry32: a seeded generator, so a failure is reproducible. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the tree against the rules read literally', () => {
  const METHODS: RouteMethod[] = ['GET', 'POST', 'HEAD', 'ANY'];
  const LITERALS = ['a', 'b', 'c'];

  function randomRoutes(next: () => number): RouteDefinition<number>[] {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const count = 1 + Math.floor(next() * 12);
    return Array.from({ length: count }, (_, value) => {
      const length = Math.floor(next() * 4);
      const segments = Array.from({ length }, (_, k) => (next() < 0.35 ? `{p${k}}` : pick(LITERALS)));
      const ending = next();
      if (ending < 0.3) segments.push('{.+}');
      else if (ending < 0.4 || segments.length === 0) segments.push('');
      return { method: pick(METHODS), path: `/${segments.join('/')}`, value };
    });
  }

  function randomPath(next: () => number): string {
    const length = 1 + Math.floor(next() * 4);
    const parts = Array.from({ length }, () => (next() < 0.15 ? 'z' : LITERALS[Math.floor(next() * 3)]));
    if (next() < 0.2) parts.push('');
    return `/${parts.join('/')}`;
  }

  it('picks the same route, params, rest and Allow for thousands of random cases', () => {
    const next = random(20261129);
    for (let round = 0; round < 400; round++) {
      const routes = randomRoutes(next);
      const router = createRouter(routes);
      for (let probe = 0; probe < 25; probe++) {
        const method = (['GET', 'POST', 'HEAD', 'PUT'] as const)[Math.floor(next() * 4)] as string;
        const path = randomPath(next);
        const context = `${method} ${path} on ${routes.map((r) => `${r.method} ${r.path}`).join(', ')}`;
        const expected = oracle(routes, method, path);
        expect(router.match(method, path), context).toEqual(expected);
        // Again: now from the router's memo when it was found (router-memo.test.ts).
        expect(router.match(method, path), context).toEqual(expected);
        const explained = router.explain(method, path).winner?.value;
        expect(explained, context).toBe(expected.kind === 'found' ? expected.value : undefined);
      }
    }
  });
});
