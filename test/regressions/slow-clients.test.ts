import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeServer } from '../../src/adapters/node/server.js';
import { Answer } from '../../src/answer.js';
import { startHostileSetup, type HostileSetup } from './harness.js';

/**
 * Class: slow clients holding sockets (slowloris, slow bodies). The head must arrive within
 * gateway.header_timeout_ms (20 s by default) and the whole request within
 * gateway.request_timeout_ms (120 s); deadlines are checked every second, so a limit means that
 * limit (Node's own check runs every 30 s). A cut client gets a 408 in JSON when it can.
 */
let gw: HostileSetup;

beforeAll(async () => {
  gw = await startHostileSetup((upstream) => ({
    servers: [{ alias: 'up', url: upstream }],
    gateway: { header_timeout_ms: 1000, request_timeout_ms: 2000 },
    paths: [{ method: 'ANY', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } }],
  }));
});
afterAll(() => gw.close());

/** Writes `text`, never finishes; resolves with what came back and when the socket closed. */
function stall(text: string): Promise<{ response: string; ms: number }> {
  const { hostname, port } = new URL(gw.url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ response, ms: Date.now() - started }));
    socket.write(text);
    setTimeout(() => socket.destroy(), 10_000).unref();
  });
}

describe('deadlines', () => {
  it('50 slow-header sockets are all cut near header_timeout_ms with a JSON 408', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => stall(`GET /up/x HTTP/1.1\r\nHost: ${gw.host}\r\nX-Slow: `)),
    );
    for (const { response, ms } of results) {
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(4_500);
      expect(response).toMatch(/^HTTP\/1\.1 408/);
      expect(response).toContain('"code":"ERR_REQUEST_TIMEOUT"');
      expect(response.toLowerCase()).toContain('x-request-id:');
    }
    expect(gw.upstream.requests).toHaveLength(0);
  });

  it('a body slower than request_timeout_ms is cut with a JSON 408', async () => {
    const { response, ms } = await stall(
      `POST /up/x HTTP/1.1\r\nHost: ${gw.host}\r\nContent-Length: 100\r\n\r\nab`,
    );
    expect(ms).toBeGreaterThanOrEqual(1_500);
    expect(ms).toBeLessThan(6_000);
    expect(response).toMatch(/^HTTP\/1\.1 408/);
    expect(response).toContain('"code":"ERR_REQUEST_TIMEOUT"');
  });
});

it('defaults: 20 s for the head, 120 s for the request, checked every second', async () => {
  const running = await startNodeServer(
    { fetch: () => new Response('ok'), refuse: () => new Answer(400, {}, null) },
    { host: '127.0.0.1', port: 0 },
  );
  try {
    expect(running.server.headersTimeout).toBe(20_000);
    expect(running.server.requestTimeout).toBe(120_000);
  } finally {
    await running.close(100);
  }
});
