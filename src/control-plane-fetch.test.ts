import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedFetch, controlPlaneGet, readBounded } from './control-plane-fetch.js';

/** The one control-plane policy against a real HTTP server on 127.0.0.1. */
let base = '';
let followedRedirect = 0;
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  switch (request.url) {
    case '/small':
      response.end('{"ok":true}');
      return;
    case '/redirect':
      response.writeHead(302, { location: '/target' }).end();
      return;
    case '/target':
      followedRedirect++;
      response.end('{}');
      return;
    case '/declared-large':
      response.writeHead(200, { 'content-length': '2000' }).end('x'.repeat(2000));
      return;
    case '/chunked-large':
      response.write('x'.repeat(600));
      response.end('x'.repeat(600));
      return;
    case '/stalled-body':
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{');
      return; // never ends: the deadline must cover the body too
  }
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const policy = { timeoutMs: 1_000, maxBytes: 1_000 };

describe('control-plane fetch policy', () => {
  it('reads a small answer whole', async () => {
    const result = await controlPlaneGet(fetch, `${base}/small`, 'application/json', policy);
    expect(result.kind).toBe('answer');
    if (result.kind === 'answer') expect(new TextDecoder().decode(result.bytes)).toBe('{"ok":true}');
  });

  it('never follows a redirect', async () => {
    const result = await controlPlaneGet(fetch, `${base}/redirect`, 'application/json', policy);
    expect(result).toEqual({ kind: 'redirect', status: 302 });
    expect(followedRedirect).toBe(0);
  });

  it('refuses a body over the cap, declared or counted', async () => {
    for (const path of ['/declared-large', '/chunked-large']) {
      const result = await controlPlaneGet(fetch, `${base}${path}`, 'application/json', policy);
      expect(result).toEqual({ kind: 'too_large', status: 200 });
    }
  });

  it('the deadline covers the body', async () => {
    const started = Date.now();
    const result = await controlPlaneGet(fetch, `${base}/stalled-body`, 'application/json', {
      ...policy,
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ kind: 'unreachable', timedOut: true });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an unreachable host is reported as such, not as a timeout', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await controlPlaneGet(fetch, `http://127.0.0.1:${port}/`, 'application/json', policy);
    expect(result).toMatchObject({ kind: 'unreachable', timedOut: false });
  });

  it("the client's signal stops the call", async () => {
    const client = new AbortController();
    const call = boundedFetch(fetch, { timeoutMs: 10_000, signal: client.signal });
    const response = await call.fetch(`${base}/stalled-body`);
    client.abort();
    const result = await readBounded(response, call, policy.maxBytes);
    expect(result).toMatchObject({ kind: 'unreachable', timedOut: false });
  });
});
