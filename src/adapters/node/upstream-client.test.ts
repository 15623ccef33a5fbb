import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../context.js';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import type { UpstreamRequest } from '../../platform.js';
import { createProxyHandler } from '../../proxy/forward.js';
import { compileServer } from '../../proxy/targets.js';
import { replyToResponse } from '../../answer.js';
import { createUndiciUpstreamClient } from './upstream-client.js';

/** Real sockets on 127.0.0.1: a node:http upstream that records what reached it. */

interface Upstream {
  readonly url: string;
  readonly port: number;
  readonly seen: IncomingMessage[];
  close(): Promise<void>;
}

const servers: Upstream[] = [];

async function startUpstream(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Upstream> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const upstream: Upstream = {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(upstream);
  return upstream;
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const upstream = await startUpstream(() => undefined);
  await upstream.close();
  return upstream.port;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const client = createUndiciUpstreamClient();

async function send(init: Partial<UpstreamRequest> & { url: string }): Promise<Response> {
  return replyToResponse(
    await client({
      method: 'GET',
      headers: new Headers(),
      body: null,
      signal: new AbortController().signal,
      timeoutMs: 5_000,
      ...init,
    }),
  );
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await client.close();
});

describe('createUndiciUpstreamClient', () => {
  it(
    'sends method, path and query, headers; the Host is the upstream authority',
    { timeout: 5_000 },
    async () => {
      const upstream = await startUpstream((req, res) => res.end('ok'));
      const response = await send({
        method: 'DELETE',
        url: `${upstream.url}/base/orders/1?x=1&y=a%20b`,
        headers: new Headers([
          ['x-custom', 'v1'],
          ['accept', 'application/json'],
        ]),
      });
      expect(await response.text()).toBe('ok');
      const [req] = upstream.seen;
      expect(req?.method).toBe('DELETE');
      expect(req?.url).toBe('/base/orders/1?x=1&y=a%20b');
      expect(req?.headers['x-custom']).toBe('v1');
      expect(req?.headers.accept).toBe('application/json');
      expect(req?.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    },
  );

  it('reuses pooled keep-alive connections', { timeout: 5_000 }, async () => {
    const ports = new Set<number | undefined>();
    const upstream = await startUpstream((req, res) => {
      ports.add(req.socket.remotePort);
      res.end('ok');
    });
    for (let i = 0; i < 6; i++) await (await send({ url: `${upstream.url}/` })).text();
    // undici frees a connection a tick after the response, so back-to-back calls may open a
    // second one; never one per request.
    expect(ports.size).toBeLessThanOrEqual(2);
  });

  it(
    'streams the request body: the upstream gets chunk 1 before chunk 2 exists',
    { timeout: 5_000 },
    async () => {
      const firstChunkArrived = deferred();
      const received: string[] = [];
      const upstream = await startUpstream((req, res) => {
        req.on('data', (chunk: Buffer) => {
          received.push(chunk.toString());
          firstChunkArrived.resolve();
        });
        req.on('end', () => res.end(JSON.stringify({ length: received.join('').length })));
      });
      const encoder = new TextEncoder();
      let step = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          step++;
          if (step === 1) controller.enqueue(encoder.encode('first-'));
          else if (step === 2) {
            // Would never resolve if the client buffered the whole body before sending.
            await firstChunkArrived.promise;
            controller.enqueue(encoder.encode('second'));
          } else controller.close();
        },
      });
      const response = await send({ method: 'POST', url: `${upstream.url}/upload`, body });
      expect(await response.json()).toEqual({ length: 'first-second'.length });
      expect(received.join('')).toBe('first-second');
      expect(upstream.seen[0]?.headers['transfer-encoding']).toBe('chunked');
    },
  );

  it(
    'streams the response body: chunk 1 is readable before the upstream sends chunk 2',
    { timeout: 5_000 },
    async () => {
      const firstChunkRead = deferred();
      const upstream = await startUpstream((req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first-');
        void firstChunkRead.promise.then(() => res.end('second'));
      });
      const response = await send({ url: `${upstream.url}/download` });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      const first = await reader.read();
      expect(decoder.decode(first.value)).toBe('first-');
      firstChunkRead.resolve();
      let rest = '';
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
        rest += decoder.decode(chunk.value);
      expect(rest).toBe('second');
    },
  );

  it(
    'delivers bodies that arrived whole with the headers, sized or chunked',
    { timeout: 5_000 },
    async () => {
      const upstream = await startUpstream((req, res) => {
        if (req.url === '/sized') return res.end('{"sized":true}');
        // One segment: head, chunk and terminator corked together.
        res.socket?.cork();
        res.write('{"chunked":');
        res.end('true}');
        process.nextTick(() => res.socket?.uncork());
      });
      expect(await (await send({ url: `${upstream.url}/sized` })).json()).toEqual({ sized: true });
      const chunked = await send({ url: `${upstream.url}/chunked` });
      expect(chunked.headers.has('transfer-encoding')).toBe(false);
      expect(await chunked.json()).toEqual({ chunked: true });
      expect(await (await send({ url: `${upstream.url}/sized` })).text()).toBe('{"sized":true}');
    },
  );

  it('delivers a large body byte for byte', { timeout: 10_000 }, async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    const upstream = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-length': payload.length });
      res.end(payload);
    });
    const response = await send({ url: `${upstream.url}/big` });
    const received = Buffer.from(await response.arrayBuffer());
    expect(received.equals(payload)).toBe(true);
  });

  it(
    'streams a large body with backpressure: a reader that stops reading stops the upstream',
    { timeout: 20_000 },
    async () => {
      const total = 64 * 1024 * 1024;
      const piece = Buffer.alloc(64 * 1024, 7);
      let written = 0;
      const upstream = await startUpstream((req, res) => {
        res.writeHead(200, { 'content-length': total });
        const pump = (): void => {
          while (written < total) {
            written += piece.length;
            if (!res.write(piece)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      });
      const response = await send({ url: `${upstream.url}/big` });
      const reader = response.body!.getReader();
      let received = (await reader.read()).value?.byteLength ?? 0;
      // The reader pauses: undici stops reading, the socket buffers fill, the upstream waits.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(written).toBeLessThan(total / 2);
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        received += chunk.value.byteLength;
      }
      expect(received).toBe(total);
    },
  );

  it('passes a redirect through instead of following it', { timeout: 5_000 }, async () => {
    const upstream = await startUpstream((req, res) => {
      res.writeHead(302, { location: '/elsewhere' });
      res.end('moved');
    });
    const response = await send({ url: `${upstream.url}/old` });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/elsewhere');
    expect(await response.text()).toBe('moved');
    expect(upstream.seen.map((req) => req.url)).toEqual(['/old']);
  });

  it('keeps repeated Set-Cookie headers apart', { timeout: 5_000 }, async () => {
    const upstream = await startUpstream((req, res) => {
      res.setHeader('set-cookie', ['a=1; Path=/; HttpOnly', 'b=2, with comma; Secure']);
      res.end('ok');
    });
    const response = await send({ url: `${upstream.url}/` });
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/; HttpOnly', 'b=2, with comma; Secure']);
  });

  it('returns mutable headers without hop-by-hop ones', { timeout: 5_000 }, async () => {
    const upstream = await startUpstream((req, res) => {
      res.setHeader('connection', 'x-hop');
      res.setHeader('x-hop', '1');
      res.setHeader('x-kept', '2');
      res.end('ok');
    });
    const response = await send({ url: `${upstream.url}/` });
    expect(response.headers.has('x-hop')).toBe(false);
    expect(response.headers.has('connection')).toBe(false);
    expect(response.headers.get('x-kept')).toBe('2');
    response.headers.set('x-request-id', 'r');
    expect(response.headers.get('x-request-id')).toBe('r');
  });

  it('answers HEAD and 204 without a body', { timeout: 5_000 }, async () => {
    const upstream = await startUpstream((req, res) => {
      if (req.url === '/none') res.writeHead(204).end();
      else res.writeHead(200, { 'content-length': '42' }).end();
    });
    const head = await send({ method: 'HEAD', url: `${upstream.url}/` });
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    expect(head.headers.get('content-length')).toBe('42');
    const none = await send({ url: `${upstream.url}/none` });
    expect(none.status).toBe(204);
    expect(none.body).toBeNull();
  });

  it('rejects ERR_UPSTREAM_UNAVAILABLE when the connection is refused', { timeout: 5_000 }, async () => {
    const port = await closedPort();
    const error = await rejection(send({ url: `http://127.0.0.1:${port}/` }));
    expect(isGatewayError(error) && error.code).toBe('ERR_UPSTREAM_UNAVAILABLE');
    expect(isGatewayError(error) && error.detail?.upstreamError).toBe('ECONNREFUSED');
  });

  it(
    'rejects ERR_UPSTREAM_UNAVAILABLE for a status a Response cannot carry',
    { timeout: 5_000 },
    async () => {
      const raw = createNetServer((socket) => {
        socket.once('data', () => socket.end('HTTP/1.1 999 Odd\r\ncontent-length: 2\r\n\r\nok'));
      });
      await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = raw.address() as AddressInfo;
        const error = await rejection(send({ url: `http://127.0.0.1:${port}/` }));
        expect(isGatewayError(error) && error.code).toBe('ERR_UPSTREAM_UNAVAILABLE');
      } finally {
        await new Promise((resolve) => raw.close(resolve));
      }
    },
  );

  it(
    'rejects ERR_UPSTREAM_UNAVAILABLE when the upstream resets the connection',
    { timeout: 5_000 },
    async () => {
      const upstream = await startUpstream((req) => req.socket.destroy());
      const error = await rejection(send({ url: `${upstream.url}/` }));
      expect(isGatewayError(error) && error.code).toBe('ERR_UPSTREAM_UNAVAILABLE');
    },
  );

  it(
    'lets a GatewayError from the request body through (e.g. an oversized upload)',
    { timeout: 5_000 },
    async () => {
      const upstream = await startUpstream((req, res) => {
        req.resume();
        req.on('end', () => res.end('ok'));
      });
      const tooLarge = new GatewayError('ERR_PAYLOAD_TOO_LARGE');
      let step = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (step++ === 0) controller.enqueue(new TextEncoder().encode('some bytes'));
          else controller.error(tooLarge);
        },
      });
      expect(await rejection(send({ method: 'POST', url: `${upstream.url}/upload`, body }))).toBe(tooLarge);
    },
  );

  it(
    'rejects ERR_UPSTREAM_TIMEOUT when no headers arrive within the timeout',
    { timeout: 5_000 },
    async () => {
      const upstream = await startUpstream(() => undefined);
      const started = Date.now();
      const error = await rejection(send({ url: `${upstream.url}/silent`, timeoutMs: 300 }));
      const elapsed = Date.now() - started;
      expect(isGatewayError(error) && error.code).toBe('ERR_UPSTREAM_TIMEOUT');
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(2_000);
    },
  );

  it('aborts the upstream request when the client goes away', { timeout: 5_000 }, async () => {
    const upstreamClosed = deferred();
    const arrived = deferred();
    const upstream = await startUpstream((req, res) => {
      res.on('close', () => upstreamClosed.resolve());
      arrived.resolve();
    });
    const controller = new AbortController();
    const pending = send({ url: `${upstream.url}/wait`, signal: controller.signal });
    await arrived.promise;
    const reason = new Error('client disconnected');
    controller.abort(reason);
    expect(await rejection(pending)).toBe(reason);
    await upstreamClosed.promise;
  });

  it('aborts the upstream body when the client leaves mid-download', { timeout: 5_000 }, async () => {
    const upstreamClosed = deferred();
    const upstream = await startUpstream((req, res) => {
      res.on('close', () => upstreamClosed.resolve());
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part-');
    });
    const controller = new AbortController();
    const response = await send({ url: `${upstream.url}/stream`, signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort(new Error('client disconnected'));
    await expect(reader.read()).rejects.toThrow();
    await upstreamClosed.promise;
  });

  it(
    'errors the body when the upstream dies mid-body (never a clean truncated end)',
    { timeout: 5_000 },
    async () => {
      const upstream = await startUpstream((req, res) => {
        const chunked = req.url === '/chunked';
        res.writeHead(200, chunked ? {} : { 'content-length': '1000' });
        res.write('only a part of it');
        setTimeout(() => res.socket?.destroy(), 20);
      });
      for (const path of ['/length', '/chunked']) {
        const response = await send({ url: `${upstream.url}${path}` });
        expect(response.status).toBe(200);
        await expect(response.text()).rejects.toThrow();
      }
    },
  );

  it('leaves no abort listener behind on the client signal', { timeout: 5_000 }, async () => {
    const upstream = await startUpstream((req, res) => {
      if (req.url === '/stream') {
        res.write('x');
        setTimeout(() => res.end('y'), 10);
      } else res.end('ok');
    });
    const shared = new AbortController().signal;
    for (const path of ['/small', '/stream', '/small']) {
      await (await send({ url: `${upstream.url}${path}`, signal: shared })).text();
    }
    await rejection(send({ url: `http://127.0.0.1:${await closedPort()}/`, signal: shared }));
    expect(getEventListeners(shared, 'abort')).toHaveLength(0);
  });
});

describe('createProxyHandler over the undici client', () => {
  it('proxies a request end to end with the gateway-set forwarding headers', { timeout: 5_000 }, async () => {
    const upstream = await startUpstream(async (req, res) => {
      const body = await readBody(req);
      res.setHeader('set-cookie', ['s=1', 't=2']);
      res.end(
        JSON.stringify({ url: req.url, body, xff: req.headers['x-forwarded-for'], host: req.headers.host }),
      );
    });
    const server = compileServer({ alias: 'b', url: `${upstream.url}/base` });
    const handler = createProxyHandler(
      {
        server,
        timeoutMs: server.timeoutMs,
        stripAuthorization: false,
        maxBodyBytes: 1024 * 1024,
        mappedHeaderNames: [],
        hasQueryMapping: false,
      },
      client,
    );
    const request = new Request('http://gw.example.com/api/proxy/orders/1?x=1', {
      method: 'POST',
      headers: { 'x-forwarded-for': '6.6.6.6', 'content-type': 'text/plain', host: 'gw.example.com' },
      body: 'payload',
    });
    const ctx: RequestContext = {
      request,
      requestId: 'r1',
      method: 'POST',
      path: '/api/proxy/orders/1',
      search: '?x=1',
      host: 'gw.example.com',
      client: { address: '127.0.0.1', protocol: 'http' },
      clientAddress: { address: '127.0.0.1', chain: ['127.0.0.1'], viaTrustedProxy: false },
      signal: new AbortController().signal,
      params: {},
      wildcardRest: 'orders/1',
      claims: undefined,
      log: {},
    };
    const response = replyToResponse(await handler(ctx));
    expect(await response.json()).toEqual({
      url: '/base/orders/1?x=1',
      body: 'payload',
      xff: '127.0.0.1',
      host: `127.0.0.1:${upstream.port}`,
    });
    expect(response.headers.getSetCookie()).toEqual(['s=1', 't=2']);
    expect(ctx.log.upstreamStatus).toBe(200);
  });
});
