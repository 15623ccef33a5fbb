import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createRouter, type RouteDefinition } from './router.js';

/** The router remembers found matches per (method, path): router.ts `MatchMemo`. */
describe("the router's memo of found matches", () => {
  const routes: RouteDefinition<string>[] = [
    { method: 'GET', path: '/items/{id}', value: 'get item' },
    { method: 'ANY', path: '/files/{.+}', value: 'any file' },
    { method: 'PUT', path: '/files/{.+}', value: 'put file' },
  ];

  it('answers a path the second time with the same match as the first, frozen', () => {
    const router = createRouter(routes);
    const first = router.match('GET', '/items/42');
    const second = router.match('GET', '/items/42');
    expect(second).toEqual({
      kind: 'found',
      value: 'get item',
      params: { id: '42' },
      wildcardRest: undefined,
    });
    expect(second).toBe(first);
    // Requests share it: a step that tried to change it would throw, not leak into the next request.
    expect(Object.isFrozen(second)).toBe(true);
    expect(second.kind === 'found' && Object.isFrozen(second.params)).toBe(true);
    expect(() => {
      if (second.kind === 'found') (second.params as Record<string, string>).id = 'other';
    }).toThrow(TypeError);
    expect(router.match('GET', '/items/43')).toMatchObject({ params: { id: '43' } });
  });

  it('memo poisoning across methods: a match remembered for one method is not served to another', () => {
    const router = createRouter(routes);
    expect(router.match('GET', '/items/1')).toMatchObject({ kind: 'found', value: 'get item' });
    expect(router.match('POST', '/items/1')).toEqual({ kind: 'method-not-allowed', allow: ['GET', 'HEAD'] });
    expect(router.match('HEAD', '/items/1')).toMatchObject({ kind: 'found', value: 'get item' });
    expect(router.match('PUT', '/files/a/b')).toMatchObject({ value: 'put file', wildcardRest: 'a/b' });
    expect(router.match('GET', '/files/a/b')).toMatchObject({ value: 'any file', wildcardRest: 'a/b' });
    expect(router.match('PUT', '/files/a/b')).toMatchObject({ value: 'put file' });
  });

  it('memo flooding: distinct paths and methods sent on purpose neither change an answer nor grow it without bound', () => {
    const router = createRouter(routes);
    // More distinct paths than the memo keeps (4,096), under methods an ANY route accepts.
    for (let i = 0; i < 10_000; i++) {
      const method = i % 2 === 0 ? 'GET' : `X${i}`;
      const match = router.match(method, `/files/${i}`);
      expect(match.kind === 'found' && match.wildcardRest).toBe(String(i));
    }
    const fresh = createRouter(routes);
    for (const path of ['/files/0', '/files/9998', '/items/7', '/items/']) {
      expect(router.match('GET', path)).toEqual(fresh.match('GET', path));
    }
    // 100,000 paths of 200 characters: kept, they would hold about 20 MiB of keys alone; the
    // memo's bound keeps at most 4,096 of them (about 1 MiB).
    const collect = exposedGc();
    collect();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100_000; i++) router.match('GET', `/files/${String(i).padStart(194, 'x')}`);
    collect();
    const keptMiB = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    // Still in use after the measurement, so the collector cannot take the router and its memo.
    expect(router.match('GET', '/items/8')).toMatchObject({ params: { id: '8' } });
    expect(keptMiB).toBeLessThan(6);
  });

  it("memory amplification: remembered matches do not keep each request's whole URL alive", () => {
    // A request's path is a slice of its URL; remembered as it is, every entry kept the URL and
    // its query string (4,000 entries of an 8 KB query held 31 MiB). The memo keeps own copies.
    const collect = exposedGc();
    const router = createRouter(routes);
    const matches = [];
    collect();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 2_000; i++) {
      const url = Buffer.from(`http://127.0.0.1:8080/files/items/${i}?q=${'x'.repeat(8_000)}`).toString(
        'latin1',
      );
      matches.push(router.match('GET', url.slice('http://127.0.0.1:8080'.length, url.indexOf('?'))));
    }
    collect();
    const keptMiB = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    expect(matches.every((m) => m.kind === 'found')).toBe(true);
    // The 2,000 URLs are 16 MB; what is kept is the matches and their short paths.
    expect(keptMiB).toBeLessThan(4);
  });

  it('matches a path longer than 256 characters afresh each time (the bound on its keys)', () => {
    const router = createRouter(routes);
    const long = `/items/${'x'.repeat(300)}`;
    const first = router.match('GET', long);
    expect(first).toMatchObject({ kind: 'found', params: { id: 'x'.repeat(300) } });
    expect(router.match('GET', long)).not.toBe(first);
    expect(Object.isFrozen(first)).toBe(false);
  });
});

/** V8's `gc()`, which vitest's workers do not expose by default. */
function exposedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
