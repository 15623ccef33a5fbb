import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Answer } from '../../answer.js';
import { standardRequest } from '../../standard-request.js';
import { createRequestListener, type ServeRequest } from './request-listener.js';

/** Gatehouse's own node:http listener, on a real server on 127.0.0.1. */
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serveWith(serve: ServeRequest): Promise<string> {
  const listener = createRequestListener(
    serve,
    () => new Answer(400, { 'content-type': 'text/plain' }, 'bad'),
  );
  server = createServer(listener);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the Node request listener', () => {
  it('gives a lazy Request whose method and URL need no real one, and a real one for code outside the gateway', async () => {
    let seen:
      { lazyInstance: boolean; copiedMethod: string; copiedHeader: string | null; text: string } | undefined;
    const url = await serveWith(async (request) => {
      const real = standardRequest(request);
      const copy = new Request(real, { headers: { 'x-added': 'yes' } });
      seen = {
        lazyInstance: request instanceof Request && real !== request,
        copiedMethod: copy.method,
        copiedHeader: copy.headers.get('x-added'),
        text: await copy.text(),
      };
      return new Answer(
        201,
        { 'content-type': 'text/plain' },
        `${request.method} ${new URL(request.url).pathname}`,
      );
    });
    const response = await fetch(`${url}/a/b?c=1`, { method: 'POST', body: 'payload' });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-length')).toBe('9');
    expect(await response.text()).toBe('POST /a/b');
    expect(seen).toEqual({ lazyInstance: true, copiedMethod: 'POST', copiedHeader: 'yes', text: 'payload' });
  });

  it('answers a request target that cannot make a URL with the bad-target answer, running nothing', async () => {
    let ran = false;
    const url = await serveWith(() => {
      ran = true;
      return new Answer(200, {}, 'ok');
    });
    const { port } = new URL(url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/a\\..\\b', method: 'GET' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
    expect(ran).toBe(false);
  });

  it('cancels a streamed Response body when the client goes away', async () => {
    let cancelled: (reason: unknown) => void = () => undefined;
    const wasCancelled = new Promise<unknown>((resolve) => (cancelled = resolve));
    const url = await serveWith(() => {
      let open = true;
      const body = new ReadableStream<Uint8Array>({
        pull: (controller) =>
          new Promise<void>((resolve) =>
            setTimeout(() => {
              if (open) controller.enqueue(new Uint8Array(1024));
              resolve();
            }, 5),
          ),
        cancel: (reason) => {
          open = false;
          cancelled(reason);
        },
      });
      return new Response(body, { headers: { 'content-type': 'application/octet-stream' } });
    });
    const controller = new AbortController();
    const response = await fetch(url, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(wasCancelled).resolves.toBeInstanceOf(Error);
  });

  it('writes a complete Response body with its length, a slow one chunked', async () => {
    const url = await serveWith((request) =>
      new URL(request.url).pathname === '/whole'
        ? new Response('hello')
        : new Response(
            new ReadableStream({
              start: (controller) => {
                setTimeout(() => {
                  controller.enqueue(new TextEncoder().encode('late'));
                  controller.close();
                }, 20);
              },
            }),
          ),
    );
    const whole = await fetch(`${url}/whole`);
    expect(whole.headers.get('content-length')).toBe('5');
    expect(await whole.text()).toBe('hello');
    const slow = await fetch(`${url}/slow`);
    expect(slow.headers.get('transfer-encoding')).toBe('chunked');
    expect(await slow.text()).toBe('late');
  });
});
