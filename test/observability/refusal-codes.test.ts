import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, startHostileSetup, type HostileSetup } from '../regressions/harness.js';

/**
 * The gateway's early refusals — the router's 404 and 405, TRACE/CONNECT, 414, 413 on a declared
 * length, 400 for a fragment — are answers nothing threw. Their access-log line carries the
 * catalogue code all the same (docs/OBSERVABILITY.md "Access log"), as every thrown error's does,
 * and nothing reaches the upstream.
 */
let gw: HostileSetup;
const { logger, lines } = memoryLogger();

beforeAll(async () => {
  gw = await startHostileSetup(
    (upstreamUrl) => ({
      servers: [{ alias: 'up', url: upstreamUrl }],
      gateway: { max_url_length: 200, max_body_bytes: 1000 },
      paths: [
        { method: 'GET', path: '/items/{id}', integration: { type: 'http_proxy', server: 'up' } },
        { method: 'POST', path: '/items', integration: { type: 'http_proxy', server: 'up' } },
      ],
    }),
    { logger },
  );
});
afterAll(async () => {
  await gw?.close();
});

async function lineFor(path: string): Promise<Record<string, unknown> | undefined> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const line = lines.find((l) => l.msg === 'request' && l.path === path);
    if (line || Date.now() > deadline) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('early refusals in the access log (Node)', () => {
  it.each([
    ['no route', 'GET', '/nowhere', [], 404, 'ERR_NO_ROUTE'],
    ['method not allowed', 'DELETE', '/items/1', [], 405, 'ERR_METHOD_NOT_ALLOWED'],
    ['TRACE', 'TRACE', '/items/2', [], 405, 'ERR_METHOD_NOT_ALLOWED'],
    ['URI too long', 'GET', `/items/${'x'.repeat(300)}`, [], 414, 'ERR_URI_TOO_LONG'],
    ['declared body too large', 'POST', '/items', ['Content-Length: 5000'], 413, 'ERR_PAYLOAD_TOO_LARGE'],
  ] as const)('%s: its status and catalogue code', async (_why, method, path, headers, status, code) => {
    const before = gw.upstream.requests.length;
    const response = await gw.send(method, path, headers);
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toMatchObject({ code });
    const line = await lineFor(path);
    expect(line).toMatchObject({ method, status, code });
    expect(gw.upstream.requests.length).toBe(before);
  });

  it('a thrown error keeps its own code, and a forwarded answer has none', async () => {
    const response = await gw.send('GET', '/items/7');
    expect(response.status).toBe(200);
    const line = await lineFor('/items/7');
    expect(line).toMatchObject({ status: 200, upstream: 'up' });
    expect(line).not.toHaveProperty('code');
  });
});
