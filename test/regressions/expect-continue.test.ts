import { connect } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startHostileSetup, type HostileSetup } from './harness.js';

/**
 * Class: clients made to upload before being refused. With `Expect: 100-continue` the interim
 * 100 is sent only after routing, auth and the declared-size check passed; otherwise the final
 * status goes out at once and the connection closes, so no megabytes are pushed first.
 */
const SECRET = 'e'.repeat(32);
let gw: HostileSetup;
let token: string;

beforeAll(async () => {
  gw = await startHostileSetup((upstream) => ({
    servers: [{ alias: 'up', url: upstream }],
    authorizer: { type: 'jwt', secret: SECRET },
    gateway: { max_body_bytes: 1024 * 1024 },
    paths: [
      { method: 'POST', path: '/upload', auth: true, integration: { type: 'http_proxy', server: 'up' } },
    ],
  }));
  token = await new SignJWT({ sub: 'u' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

/** Sends only the head, then (optionally, on 100) the body; returns every response head seen. */
function expectExchange(head: string, body?: string): Promise<{ text: string; closed: boolean }> {
  const { hostname, port } = new URL(gw.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    let sentBody = false;
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed });
    };
    const timer = setTimeout(() => finish(false), 3000);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (body !== undefined && !sentBody && text.startsWith('HTTP/1.1 100')) {
        sentBody = true;
        socket.write(body);
      }
      if (/HTTP\/1\.1 [2-5]\d\d[\s\S]*\r\n\r\n/.test(text) && /"code"|\}$/.test(text)) finish(false);
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => undefined);
    socket.write(head);
  });
}

const head = (headers: string[]): string =>
  `POST /upload HTTP/1.1\r\nHost: ${new URL(gw.url).host}\r\n${headers.join('\r\n')}\r\nExpect: 100-continue\r\n\r\n`;

it('no token: 401 at once, no 100 Continue, nothing forwarded', async () => {
  const { text } = await expectExchange(head(['Content-Length: 900000']));
  expect(text).not.toContain('100 Continue');
  expect(text).toMatch(/^HTTP\/1\.1 401/);
  expect(text.toLowerCase()).toContain('connection: close');
  expect(gw.upstream.requests).toHaveLength(0);
});

it('a declared body over max_body_bytes: 413 at once, no 100 Continue', async () => {
  const { text } = await expectExchange(head([`Authorization: Bearer ${token}`, 'Content-Length: 5000000']));
  expect(text).not.toContain('100 Continue');
  expect(text).toMatch(/^HTTP\/1\.1 413/);
});

it('no route: 404 at once, no 100 Continue', async () => {
  const text = (
    await expectExchange(
      `POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n`,
    )
  ).text;
  expect(text).toMatch(/^HTTP\/1\.1 404/);
});

it('an accepted request gets 100 Continue, then its body is forwarded', async () => {
  const { text } = await expectExchange(
    head([`Authorization: Bearer ${token}`, 'Content-Length: 5', 'Content-Type: text/plain']),
    'hello',
  );
  expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200/);
  expect(gw.upstream.requests[0]?.body).toBe('hello');
  expect(gw.upstream.requests[0]?.headers.expect).toBeUndefined();
});
