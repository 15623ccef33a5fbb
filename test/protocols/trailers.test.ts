import { createServer, type Server } from 'node:http';
import { connect as h2Connect } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import { closeServer, listenOnLoopback, startInlineGatehouse } from '../fixtures/loopback.js';
import { rawExchange } from '../helpers/raw-http.js';

/**
 * Trailers (docs/PROTOCOLS.md "Trailers"): an upstream on 127.0.0.1 answers chunked with
 * announced trailer fields; a raw client reads what the gateway sends after the last chunk.
 */

let upstream: Server;
let gateway: RunningGatehouse;
let h2cGateway: RunningGatehouse;

/** The upstream: `/trailers` announces and sends trailers, `/unannounced` sends them silently. */
function createUpstream(): Server {
  return createServer((request, response) => {
    const announce = request.url !== '/unannounced';
    if (announce) response.setHeader('trailer', 'x-checksum, grpc-status, content-type, set-cookie');
    response.setHeader('content-type', 'text/plain');
    response.write('hello ');
    setTimeout(() => {
      response.write('world');
      response.addTrailers({
        'x-checksum': 'abc123',
        'grpc-status': '0',
        'content-type': 'text/html',
        'set-cookie': 'sneaky=1',
        'x-unannounced': 'no',
      });
      response.end();
    }, 20);
  });
}

const config = (upstreamUrl: string): object => ({
  servers: [{ alias: 'up', url: upstreamUrl }],
  paths: [{ method: 'GET', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } }],
});

beforeAll(async () => {
  upstream = createUpstream();
  const upstreamUrl = await listenOnLoopback(upstream);
  gateway = await startInlineGatehouse(config(upstreamUrl));
  h2cGateway = await startInlineGatehouse(config(upstreamUrl), { h2c: true });
});

afterAll(async () => {
  await gateway?.close(500);
  await h2cGateway?.close(500);
  await closeServer(upstream);
});

/** Splits a chunked message into head, body and the trailer section (lower-case names). */
function parseChunked(raw: string): { head: string; body: string; trailers: Record<string, string> } {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, headEnd);
  let rest = raw.slice(headEnd + 4);
  let body = '';
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (lineEnd === -1 || Number.isNaN(size)) throw new Error(`not a chunked body: ${JSON.stringify(raw)}`);
    rest = rest.slice(lineEnd + 2);
    if (size === 0) break;
    body += rest.slice(0, size);
    rest = rest.slice(size + 2);
  }
  const trailers: Record<string, string> = {};
  for (const line of rest.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    trailers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { head, body, trailers };
}

describe('trailers from a chunked upstream', () => {
  it('pass to an HTTP/1.1 client after the last chunk: announced ones only, never framing or cookies', async () => {
    const host = new URL(gateway.url).host;
    const raw = await rawExchange(
      gateway.url,
      `GET /up/trailers HTTP/1.1\r\nHost: ${host}\r\nTE: trailers\r\nConnection: close\r\n\r\n`,
    );
    const { head, body, trailers } = parseChunked(raw);
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head.toLowerCase()).toContain('transfer-encoding: chunked');
    expect(head.toLowerCase()).not.toContain('content-length');
    expect(head.toLowerCase()).toMatch(/\r\ntrailer: x-checksum, grpc-status\r\n/);
    expect(body).toBe('hello world');
    expect(trailers).toEqual({ 'x-checksum': 'abc123', 'grpc-status': '0' });
  });

  it('are dropped for an HTTP/1.0 client, which cannot read chunked encoding; the body is whole', async () => {
    const raw = await rawExchange(gateway.url, `GET /up/trailers HTTP/1.0\r\n\r\n`);
    const headEnd = raw.indexOf('\r\n\r\n');
    const head = raw.slice(0, headEnd).toLowerCase();
    expect(head).toMatch(/^http\/1\.1 200/);
    expect(head).not.toContain('transfer-encoding');
    expect(head).not.toContain('\r\ntrailer:');
    expect(raw.slice(headEnd + 4)).toBe('hello world');
  });

  it('are dropped when the upstream did not announce them (RFC 9110 §6.6.2); the body is whole', async () => {
    const host = new URL(gateway.url).host;
    const raw = await rawExchange(
      gateway.url,
      `GET /up/unannounced HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    );
    const { head, body, trailers } = parseChunked(raw);
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head.toLowerCase()).not.toContain('\r\ntrailer:');
    expect(body).toBe('hello world');
    expect(trailers).toEqual({});
  });

  it('pass to an HTTP/2 client as the trailing HEADERS frame (h2c)', async () => {
    const session = h2Connect(h2cGateway.url);
    try {
      const result = await new Promise<{ status: number; body: string; trailers: Record<string, unknown> }>(
        (resolve, reject) => {
          const stream = session.request({ ':path': '/up/trailers', ':method': 'GET', te: 'trailers' });
          let status = 0;
          let body = '';
          let trailers: Record<string, unknown> = {};
          stream.on('response', (headers) => (status = Number(headers[':status'])));
          stream.on('trailers', (headers) => (trailers = { ...headers }));
          stream.setEncoding('utf8');
          stream.on('data', (chunk: string) => (body += chunk));
          stream.on('end', () => resolve({ status, body, trailers }));
          stream.on('error', reject);
        },
      );
      expect(result.status).toBe(200);
      expect(result.body).toBe('hello world');
      expect(result.trailers).toMatchObject({ 'x-checksum': 'abc123', 'grpc-status': '0' });
      expect(result.trailers['set-cookie']).toBeUndefined();
    } finally {
      session.close();
    }
  });
});
