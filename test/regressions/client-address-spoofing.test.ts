import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inlineConfigSource, startGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import { ConfigInvalidError } from '../../src/config/problems.js';
import { memoryLogger, startHostileSetup, type HostileSetup } from './harness.js';

/**
 * Class: spoofed client addresses. At the edge (no gateway.trusted_proxies) whatever a client
 * says in X-Forwarded-For, Forwarded, X-Real-IP, X-Forwarded-Proto/-Host/-Port is replaced by what
 * the gateway saw. Behind trusted proxies, only their hops are believed, read right to left; the
 * access log (and the rate limiter) use the same one answer (src/proxy/client-address.ts).
 */
const SPOOF = [
  'X-Forwarded-For: 6.6.6.6',
  'X-Real-IP: 6.6.6.6',
  'Forwarded: for=6.6.6.6;proto=https;host=evil.example',
  'X-Forwarded-Port: 1',
  'X-Forwarded-Proto: https',
  'X-Forwarded-Host: evil.example',
];
const route = (upstream: string, gateway: object): object => ({
  servers: [{ alias: 'up', url: upstream }],
  gateway,
  paths: [{ method: 'ANY', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } }],
});

let edge: HostileSetup;
let behind: HostileSetup;
const edgeLog = memoryLogger();
const behindLog = memoryLogger();

beforeAll(async () => {
  edge = await startHostileSetup((u) => route(u, {}), { logger: edgeLog.logger });
  behind = await startHostileSetup((u) => route(u, { trusted_proxies: ['127.0.0.1/32', '10.0.0.0/8'] }), {
    logger: behindLog.logger,
  });
});
afterAll(async () => {
  await edge.close();
  await behind.close();
});
beforeEach(() => {
  edge.upstream.reset();
  behind.upstream.reset();
});

function lastAccessLine(lines: Record<string, unknown>[]): Record<string, unknown> | undefined {
  return lines.filter((line) => line.msg === 'request').at(-1);
}

describe('at the edge (default)', () => {
  it('every forwarding header is the gateway’s own; the log names the peer', async () => {
    await edge.send('GET', '/up/who', SPOOF);
    const headers = edge.upstream.requests[0]?.headers ?? {};
    const port = new URL(edge.url).port;
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-real-ip']).toBe('127.0.0.1');
    expect(headers.forwarded).toBe(`for=127.0.0.1;host="${edge.host}";proto=http`);
    expect(headers['x-forwarded-port']).toBe(port);
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe(edge.host);
    expect(lastAccessLine(edgeLog.lines)?.client).toBe('127.0.0.1');
  });
});

describe('behind trusted proxies', () => {
  it('the first untrusted hop from the right is the client; spoofed hops left of it are dropped', async () => {
    await behind.send('GET', '/up/who', [
      'X-Forwarded-For: 6.6.6.6, 203.0.113.9, 10.1.2.3',
      'X-Real-IP: 6.6.6.6',
      'X-Forwarded-Proto: https',
      'X-Forwarded-Host: api.example.com',
      'X-Forwarded-Port: 443',
    ]);
    const headers = behind.upstream.requests[0]?.headers ?? {};
    expect(headers['x-forwarded-for']).toBe('203.0.113.9, 10.1.2.3, 127.0.0.1');
    expect(headers['x-real-ip']).toBe('203.0.113.9');
    expect(headers.forwarded).toBe('for=203.0.113.9;host=api.example.com;proto=https');
    expect(headers['x-forwarded-proto']).toBe('https');
    expect(headers['x-forwarded-host']).toBe('api.example.com');
    expect(headers['x-forwarded-port']).toBe('443');
    expect(lastAccessLine(behindLog.lines)?.client).toBe('203.0.113.9');
  });

  it('Forwarded is read when X-Forwarded-For is absent (IPv6 nodes included)', async () => {
    await behind.send('GET', '/up/who', ['Forwarded: for="[2001:db8::7]:4711";proto=https, for=10.0.0.2']);
    const headers = behind.upstream.requests[0]?.headers ?? {};
    expect(headers['x-real-ip']).toBe('2001:db8::7');
    expect(headers['x-forwarded-for']).toBe('2001:db8::7, 10.0.0.2, 127.0.0.1');
    expect(headers.forwarded).toContain('for="[2001:db8::7]"');
  });

  it('a garbage hop stops the walk at the nearest trusted proxy', async () => {
    await behind.send('GET', '/up/who', ['X-Forwarded-For: 203.0.113.9, not-an-ip']);
    expect(behind.upstream.requests[0]?.headers['x-real-ip']).toBe('127.0.0.1');
  });

  it('a peer with no forwarding headers is the client itself', async () => {
    await behind.send('GET', '/up/who');
    expect(behind.upstream.requests[0]?.headers['x-forwarded-for']).toBe('127.0.0.1');
  });
});

it('an invalid trusted_proxies entry is refused with its pointer', async () => {
  const start = startGatehouse({
    source: inlineConfigSource(
      route('http://127.0.0.1:1', { trusted_proxies: ['10.0.0.0/8', '10.0.0.0/33'] }),
    ),
    env: {},
    port: 0,
  });
  await expect(start).rejects.toBeInstanceOf(ConfigInvalidError);
  await start.catch((error: ConfigInvalidError) =>
    expect(error.problems.map((p) => p.pointer)).toEqual(['/gateway/trusted_proxies/1']),
  );
});
