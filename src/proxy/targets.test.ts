import { describe, expect, it } from 'vitest';
import { buildServer, checkServer, compileServer, DEFAULT_UPSTREAM_TIMEOUT_MS } from './targets.js';

const urls = ['http://a.internal', 'http://b.internal', 'http://c.internal'];

function picks(server: ReturnType<typeof compileServer>, count: number): string[] {
  return Array.from({ length: count }, () => server.next().prefix);
}

describe('compileServer', () => {
  it('a single URL: always the same base, default timeout 30 s', () => {
    const server = compileServer({ alias: 'b', url: 'https://b.example.com/base/' });
    expect(server.timeoutMs).toBe(DEFAULT_UPSTREAM_TIMEOUT_MS);
    expect(server.next()).toBe(server.next());
    expect(server.next().prefix).toBe('https://b.example.com/base');
    server.finish(server.next(), 'unreachable');
    expect(server.next().prefix).toBe('https://b.example.com/base');
  });

  it('uses the server timeout_ms', () => {
    expect(compileServer({ alias: 'b', url: 'http://b.internal', timeout_ms: 1500 }).timeoutMs).toBe(1500);
  });

  it('rotates over several URLs', () => {
    const server = compileServer({ alias: 'b', url: urls });
    expect(picks(server, 6)).toEqual([...urls, ...urls]);
  });

  it('skips a URL whose breaker opened for the open time, then lets one probe through', () => {
    let now = 1_000;
    const server = compileServer(
      { alias: 'b', url: urls, circuit_breaker: { open_ms: 10_000 } },
      { now: () => now },
    );
    const first = server.next();
    server.finish(first, 'unreachable');
    const during = picks(server, 4);
    expect(during).toEqual([
      'http://b.internal',
      'http://c.internal',
      'http://b.internal',
      'http://c.internal',
    ]);
    now += 10_001;
    // Half-open: exactly one request is sent to the URL until its outcome is known.
    const afterOpen = picks(server, 3);
    expect(afterOpen.filter((url) => url === 'http://a.internal')).toHaveLength(1);
    expect(picks(server, 3)).not.toContain('http://a.internal');
    server.finish(first, 'ok');
    expect(picks(server, 3).sort()).toEqual([...urls].sort());
  });

  it('opens the breaker after the configured consecutive failures only', () => {
    const server = compileServer({ alias: 'b', url: urls.slice(0, 2), circuit_breaker: { failures: 2 } });
    const a = server.next();
    server.finish(a, 'unreachable');
    server.finish(server.next(), 'ok');
    expect(server.next()).toBe(a);
    server.finish(a, 'unreachable');
    server.finish(server.next(), 'ok');
    expect(picks(server, 2)).toEqual(['http://b.internal', 'http://b.internal']);
  });

  it('refuses at once with 503 ERR_UPSTREAM_POOL_DOWN when every URL is down', () => {
    const server = compileServer({ alias: 'b', url: urls }, { now: () => 5 });
    for (let i = 0; i < 3; i++) server.finish(server.next(), 'unreachable');
    expect(() => server.next()).toThrow(expect.objectContaining({ code: 'ERR_UPSTREAM_POOL_DOWN' }) as Error);
  });

  it('least_requests sends to the URL with the fewest requests waiting', () => {
    const server = compileServer({ alias: 'b', url: urls, balance: 'least_requests' });
    const held = [server.next(), server.next()];
    expect(server.next().prefix).toBe('http://c.internal');
    server.finish(held[0]!, 'ok');
    expect(server.next().prefix).toBe('http://a.internal');
  });

  it('a retry avoids the URL that failed, whatever the rotation or the load says', () => {
    for (const balance of ['round_robin', 'least_requests'] as const) {
      // A breaker that stays closed after one failure: only `avoid` keeps the retry off the URL.
      const server = compileServer({
        alias: 'b',
        url: urls.slice(0, 2),
        balance,
        circuit_breaker: { failures: 2 },
      });
      const failed = server.next();
      // Another request took the other URL meanwhile: the rotation (and the load) point back.
      const other = server.next();
      server.finish(failed, 'unreachable');
      expect(server.next(failed)).toBe(other);
    }
    const alone = compileServer({ alias: 'b', url: urls.slice(0, 2) });
    const [first, second] = [alone.next(), alone.next()];
    alone.pool?.setHealthy(second, false);
    // Nothing else is up: the pool says so rather than handing back the failed URL.
    expect(() => alone.next(first)).toThrow(
      expect.objectContaining({ code: 'ERR_UPSTREAM_POOL_DOWN' }) as Error,
    );
  });

  it('health verdicts take a URL out and back', () => {
    const server = compileServer({ alias: 'b', url: urls });
    const pool = server.pool!;
    pool.setHealthy(pool.bases[1]!, false);
    expect(picks(server, 4)).not.toContain('http://b.internal');
    pool.setHealthy(pool.bases[1]!, true);
    expect(picks(server, 3)).toContain('http://b.internal');
  });

  it('throws on a URL the check refuses', () => {
    expect(() => compileServer({ alias: 'b', url: ['http://ok.internal', 'nope'] })).toThrow(TypeError);
  });
});

describe('checkServer', () => {
  it('reports each refused URL at its own pointer and gives no plan', () => {
    const { value, problems } = checkServer(
      { alias: 'b', url: ['http://ok.internal', 'nope', 'ftp://x'] },
      '/servers/2',
    );
    expect(value).toBeUndefined();
    expect(problems.map((p) => p.pointer)).toEqual(['/servers/2/url/1', '/servers/2/url/2']);
  });

  it('parses the URLs once into the plan buildServer uses', () => {
    const { value } = checkServer({ alias: 'b', url: 'https://b.example.com/base/' }, '/servers/0');
    expect(value).toMatchObject({
      kind: 'bases',
      bases: [{ prefix: 'https://b.example.com/base', search: '' }],
    });
    expect(buildServer(value!).next().prefix).toBe('https://b.example.com/base');
  });

  it('refuses a path in a pool: a pool rotates over bases known at compile time', () => {
    const { value, problems } = checkServer(
      { alias: 'b', url: ['http://ok.internal', '/self'] },
      '/servers/0',
    );
    expect(value).toBeUndefined();
    expect(problems).toEqual([
      expect.objectContaining({
        pointer: '/servers/0/url/1',
        message: expect.stringMatching(/absolute URLs/),
      }),
    ]);
  });
});
