import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { rawRequest } from '../helpers/raw-http.js';
import { startNodeTarget, type GatewayTarget } from '../helpers/targets.js';

/**
 * Wire-level promises of docs/SECURITY.md "Paths and headers" that only a raw socket can provoke.
 * Node-only: on Workers, Cloudflare's edge parses HTTP before the Worker sees a request.
 */
let upstream: RecordingUpstream;
let target: GatewayTarget;
let host: string;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  target = await startNodeTarget(
    {
      servers: [{ alias: 'up', url: upstream.url }],
      paths: [{ method: 'ANY', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } }],
    },
    {},
  );
  host = new URL(target.url).host;
});
afterAll(async () => {
  await target.close();
  await upstream.close();
});
beforeEach(() => upstream.reset());

describe('request framing on Node', () => {
  it('two Host headers are a 400 and nothing is forwarded', async () => {
    const response = await rawRequest(
      target.url,
      `GET /up/x HTTP/1.1\r\nHost: ${host}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'Bad request', code: 'ERR_BAD_REQUEST' });
    expect(upstream.requests).toHaveLength(0);
  });

  it('two Authorization headers are a 400 and nothing is forwarded', async () => {
    const response = await rawRequest(
      target.url,
      `GET /up/x HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(400);
    expect(upstream.requests).toHaveLength(0);
  });

  it('conflicting Content-Length and Transfer-Encoding is a 400 and nothing is forwarded', async () => {
    const response = await rawRequest(
      target.url,
      `POST /up/x HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'Bad request', code: 'ERR_BAD_REQUEST' });
    expect(upstream.requests).toHaveLength(0);
  });

  it('oversized headers are a 431 with a JSON body', async () => {
    const response = await rawRequest(
      target.url,
      `GET /up/x HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(431);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'ERR_HEADERS_TOO_LARGE' });
    expect(upstream.requests).toHaveLength(0);
  });

  it('a backslash in the path is a 400', async () => {
    const response = await rawRequest(
      target.url,
      `GET /up\\x HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(400);
    expect(upstream.requests).toHaveLength(0);
  });
});
