import { describe, expect, it } from 'vitest';
import type { AccessLogEntry, AccessLogLine } from '../observability/access-log.js';
import { TailRing, toTailEntry } from './tail-ring.js';

function entry(id: string, fields: Partial<AccessLogLine> = {}): AccessLogEntry {
  return {
    line: {
      requestId: id,
      method: 'GET',
      path: '/items/1?q=1',
      route: 'GET /items/{id}',
      status: 200,
      durationMs: 3,
      client: '127.0.0.1',
      ...fields,
    },
    routePattern: '/items/{id}',
    durationSeconds: 0.003,
  };
}

describe('console tail ring', () => {
  it('gives the same entry as the live feed, with only the fields that were set', () => {
    const ring = new TailRing(4);
    const proxied = entry('a', { upstream: 'api', upstreamStatus: 201, upstreamMs: 2 });
    const refused = entry('b', {
      status: 401,
      code: 'ERR_JWT_EXPIRED',
      authorizer: 'main',
      detail: { check: 'exp', message: 'x'.repeat(400) },
      token: 'never shown',
    });
    const plain = entry('c', { route: undefined, status: 404, code: 'ERR_NO_ROUTE' });
    ring.record(proxied, 10);
    ring.record(refused, 11);
    ring.record(plain, 12);

    expect(ring.entries()).toEqual([
      toTailEntry(proxied, 10),
      toTailEntry(refused, 11),
      toTailEntry(plain, 12),
    ]);
    const [first, second, third] = ring.entries();
    expect(first).toEqual({
      at: 10,
      requestId: 'a',
      method: 'GET',
      path: '/items/1?q=1',
      route: 'GET /items/{id}',
      status: 200,
      durationMs: 3,
      upstream: 'api',
      upstreamStatus: 201,
    });
    expect(second?.reason).toHaveLength(300);
    expect(second).toMatchObject({ check: 'exp', code: 'ERR_JWT_EXPIRED', authorizer: 'main' });
    expect(JSON.stringify(second)).not.toContain('never shown');
    expect(Object.keys(third ?? {})).not.toContain('upstreamStatus');
  });

  it('keeps the newest entries, oldest first, once it wraps', () => {
    const ring = new TailRing(3);
    for (let i = 1; i <= 7; i++)
      ring.record(entry(String(i), i === 2 || i === 7 ? { detail: { check: 'aud' } } : {}), i);
    const kept = ring.entries();
    expect(kept.map((e) => e.requestId)).toEqual(['5', '6', '7']);
    expect(kept.map((e) => e.at)).toEqual([5, 6, 7]);
    // Request 5 took request 2's slot: it does not inherit request 2's refusal.
    expect(kept.map((e) => e.check)).toEqual([undefined, undefined, 'aud']);
  });
});
