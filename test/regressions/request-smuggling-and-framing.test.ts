import { describe, expect, it } from 'vitest';
import { useProxiedNodeGateway } from '../helpers/proxied-node-gateway.js';
import { rawRequest } from '../helpers/raw-http.js';

/**
 * Wire-level promises of docs/SECURITY.md "Paths and headers" that only a raw socket can provoke.
 * Node-only: on Workers, Cloudflare's edge parses HTTP before the Worker sees a request.
 */
const gateway = useProxiedNodeGateway();

describe('request framing on Node', () => {
  it('two Host headers are a 400 and nothing is forwarded', async () => {
    const response = await rawRequest(
      gateway.target.url,
      `GET /up/x HTTP/1.1\r\nHost: ${gateway.host}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'Bad request', code: 'ERR_BAD_REQUEST' });
    expect(gateway.upstream.requests).toHaveLength(0);
  });

  it('two Authorization headers are a 400 and nothing is forwarded', async () => {
    const response = await rawRequest(
      gateway.target.url,
      `GET /up/x HTTP/1.1\r\nHost: ${gateway.host}\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(400);
    expect(gateway.upstream.requests).toHaveLength(0);
  });

  it('conflicting Content-Length and Transfer-Encoding is a 400 and nothing is forwarded', async () => {
    const response = await rawRequest(
      gateway.target.url,
      `POST /up/x HTTP/1.1\r\nHost: ${gateway.host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'Bad request', code: 'ERR_BAD_REQUEST' });
    expect(gateway.upstream.requests).toHaveLength(0);
  });

  it('oversized headers are a 431 with a JSON body', async () => {
    const response = await rawRequest(
      gateway.target.url,
      `GET /up/x HTTP/1.1\r\nHost: ${gateway.host}\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(431);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'ERR_HEADERS_TOO_LARGE' });
    expect(gateway.upstream.requests).toHaveLength(0);
  });

  it('a backslash in the path is a 400', async () => {
    const response = await rawRequest(
      gateway.target.url,
      `GET /up\\x HTTP/1.1\r\nHost: ${gateway.host}\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(400);
    expect(gateway.upstream.requests).toHaveLength(0);
  });
});
