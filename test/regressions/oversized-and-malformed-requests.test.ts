import { describe, expect, it } from 'vitest';
import { useProxiedNodeGateway } from '../helpers/proxied-node-gateway.js';
import { rawRequest } from '../helpers/raw-http.js';

/**
 * Requests Node's HTTP parser refuses leave through the gateway's one exit (issue 8 item 3):
 * a browser that sends 20 KB of cookies from an allowed origin reads a 431 with the JSON body,
 * CORS and X-Request-Id, instead of a bare status line its CORS check turns into a network
 * error. Nothing reaches the upstream.
 */
const ALLOWED = 'https://app.example';
const gateway = useProxiedNodeGateway({ cors: { allow_origins: [ALLOWED], allow_credentials: true } });

describe('parser errors through the gateway exit', () => {
  it('20 KB of cookies from an allowed origin: 431, JSON body, CORS, X-Request-Id, nothing forwarded', async () => {
    const response = await rawRequest(
      gateway.target.url,
      `GET /up/x HTTP/1.1\r\nHost: ${gateway.host}\r\nOrigin: ${ALLOWED}\r\nX-Request-Id: trace-431\r\n` +
        `Cookie: session=${'c'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(431);
    expect(JSON.parse(response.body)).toEqual({
      error: 'Request header fields too large',
      code: 'ERR_HEADERS_TOO_LARGE',
    });
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(response.headers['x-request-id']).toBe('trace-431');
    expect(response.headers['x-powered-by']).toBe('Gatehouse');
    expect(gateway.upstream.requests).toHaveLength(0);
  });

  it('a disallowed origin gets the same 431 without CORS headers', async () => {
    const response = await rawRequest(
      gateway.target.url,
      `GET /up/x HTTP/1.1\r\nHost: ${gateway.host}\r\nOrigin: https://evil.example\r\n` +
        `Cookie: session=${'c'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(431);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('conflicting Content-Length and Transfer-Encoding: 400 with the JSON body and CORS', async () => {
    const response = await rawRequest(
      gateway.target.url,
      `POST /up/x HTTP/1.1\r\nHost: ${gateway.host}\r\nOrigin: ${ALLOWED}\r\nContent-Length: 5\r\n` +
        `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'ERR_BAD_REQUEST' });
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(response.headers['x-request-id']).toBeDefined();
    expect(gateway.upstream.requests).toHaveLength(0);
  });
});
