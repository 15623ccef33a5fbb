import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bodyOf, memoryLogger, startHostileSetup, type HostileSetup } from './harness.js';

/**
 * Class: malformed framing on Node. Every request that can still be answered gets a catalogue
 * answer (JSON body, X-Request-Id, Connection: close), never a silent close or Node's bare 400:
 * a malformed chunked body found mid-request, transfer codings other than chunked, HTTP/1.1
 * without Host. HTTP/1.0 without Host is legal and served.
 */
let gw: HostileSetup;
const { logger, lines } = memoryLogger();

beforeAll(async () => {
  gw = await startHostileSetup(
    (upstream) => ({
      servers: [{ alias: 'up', url: upstream }],
      paths: [{ method: 'ANY', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } }],
    }),
    { logger },
  );
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

function expectCatalogue(
  response: Awaited<ReturnType<HostileSetup['raw']>>,
  status: number,
  code: string,
): void {
  expect(response.status).toBe(status);
  expect(bodyOf(response)).toMatchObject({ code });
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.headers['x-request-id']).toBeTruthy();
  expect(response.headers.connection).toBe('close');
}

describe('request bodies', () => {
  it.each([
    ['a non-hex chunk size', 'zz\r\nabc\r\n0\r\n\r\n'],
    ['a chunk longer than declared', '3\r\nabcdef\r\n0\r\n\r\n'],
    ['a chunk size with junk after it', '3 x\r\nabc\r\n0\r\n\r\n'],
  ])('%s on a proxied route → 400 ERR_BAD_REQUEST, logged as such', async (_name, body) => {
    const response = await gw.raw(
      `POST /up/x HTTP/1.1\r\nHost: ${gw.host}\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
    );
    expectCatalogue(response, 400, 'ERR_BAD_REQUEST');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const line = lines.filter((l) => l.msg === 'request').at(-1);
    expect(line).toMatchObject({ status: 400, code: 'ERR_BAD_REQUEST' });
    expect(line?.requestId).toBe(response.headers['x-request-id']);
  });

  it.each(['xchunked', 'gzip, chunked', 'chunked, gzip', 'identity', 'chunked;x=1'])(
    'Transfer-Encoding: %s → 501 or 400 with a catalogue body, nothing forwarded',
    async (coding) => {
      const response = await gw.raw(
        `POST /up/x HTTP/1.1\r\nHost: ${gw.host}\r\nTransfer-Encoding: ${coding}\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
      );
      expect([400, 501]).toContain(response.status);
      expect(response.headers['x-request-id']).toBeTruthy();
      expect(JSON.parse(response.body)).toHaveProperty('code');
      expect(gw.upstream.requests).toHaveLength(0);
    },
  );

  it('Transfer-Encoding: xchunked is 501 ERR_NOT_IMPLEMENTED (RFC 9112 §6.1)', async () => {
    const response = await gw.raw(
      `POST /up/x HTTP/1.1\r\nHost: ${gw.host}\r\nTransfer-Encoding: xchunked\r\n\r\nabc`,
    );
    expectCatalogue(response, 501, 'ERR_NOT_IMPLEMENTED');
  });
});

describe('Host', () => {
  it('HTTP/1.1 without Host → 400 in JSON with a request id, nothing forwarded', async () => {
    const response = await gw.raw('GET /up/x HTTP/1.1\r\nConnection: close\r\n\r\n');
    expectCatalogue(response, 400, 'ERR_BAD_REQUEST');
    expect(gw.upstream.requests).toHaveLength(0);
  });

  it('HTTP/1.0 without Host is served', async () => {
    const response = await gw.raw('GET /up/x HTTP/1.0\r\n\r\n');
    expect(response.status).toBe(200);
    expect(gw.upstream.requests).toHaveLength(1);
  });

  it.each([
    'GET /up/x HTTP/1.1\r\nHost:\r\n\r\n',
    'GET /up/x HTTP/1.1\r\nHost: a b\r\n\r\n',
    'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n',
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  ])('%j is a 400 in JSON with a request id', async (text) => {
    const response = await gw.raw(text);
    expectCatalogue(response, 400, 'ERR_BAD_REQUEST');
    expect(gw.upstream.requests).toHaveLength(0);
  });
});
