import { describe, expect, it } from 'vitest';
import { compileServer, DEFAULT_UPSTREAM_TIMEOUT_MS } from './targets.js';

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
    server.reportFailure(server.next());
    expect(server.next().prefix).toBe('https://b.example.com/base');
  });

  it('uses the server timeout_ms', () => {
    expect(compileServer({ alias: 'b', url: 'http://b.internal', timeout_ms: 1500 }).timeoutMs).toBe(1500);
  });

  it('rotates over several URLs', () => {
    const server = compileServer({ alias: 'b', url: urls });
    expect(picks(server, 6)).toEqual([...urls, ...urls]);
  });

  it('skips a failed URL for the cooldown, then takes it back', () => {
    let now = 1_000;
    const server = compileServer({ alias: 'b', url: urls }, { now: () => now, ejectionMs: 10_000 });
    const first = server.next();
    server.reportFailure(first);
    expect(picks(server, 4)).toEqual([
      'http://b.internal',
      'http://c.internal',
      'http://b.internal',
      'http://c.internal',
    ]);
    now += 10_001;
    expect(picks(server, 3).sort()).toEqual([...urls].sort());
  });

  it('keeps rotating when every URL is ejected', () => {
    const server = compileServer({ alias: 'b', url: urls }, { now: () => 5 });
    for (let i = 0; i < 3; i++) server.reportFailure(server.next());
    expect(picks(server, 3).sort()).toEqual([...urls].sort());
  });

  it('throws on a URL lint would refuse', () => {
    expect(() => compileServer({ alias: 'b', url: ['http://ok.internal', 'nope'] })).toThrow(TypeError);
  });
});
