import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamRequest } from '../../platform.js';
import { isCleanHeadersClient } from '../../proxy/headers.js';
import { createFetchUpstreamClient } from './upstream-client.js';

function request(overrides: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return {
    method: 'POST',
    url: 'http://upstream.test:8080/path?q=1',
    headers: new Headers({ 'x-a': '1' }),
    body: null,
    signal: new AbortController().signal,
    timeoutMs: 1000,
    ...overrides,
  };
}

/** A fetch that never answers but rejects like fetch does when its signal aborts. */
const hangingFetch = ((_url: string, init: RequestInit) =>
  new Promise((_, reject) => {
    init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  })) as unknown as typeof fetch;

describe('the Workers upstream client', () => {
  it('is declared clean, and keeps the promise: mutable headers, hop-by-hop ones gone', async () => {
    const upstream = async (): Promise<Response> =>
      new Response('ok', {
        headers: { connection: 'x-secret', 'x-secret': '1', 'keep-alive': 't', 'x-kept': 'y' },
      });
    const client = createFetchUpstreamClient(upstream as unknown as typeof fetch);
    expect(isCleanHeadersClient(client)).toBe(true);
    expect(isCleanHeadersClient(async () => new Response(null))).toBe(false);
    const response = (await client({ ...request(), method: 'GET' })) as Response;
    expect([...response.headers.keys()]).toEqual(['content-type', 'x-kept']);
    response.headers.set('x-request-id', 'r'); // the exit decorates without a copy
    expect(response.headers.get('x-request-id')).toBe('r');
  });

  it('sends method, headers and body with redirect: manual, and returns the response as is', async () => {
    let seen: { url: string; init: RequestInit } | undefined;
    const client = createFetchUpstreamClient((async (url: string, init: RequestInit) => {
      seen = { url, init };
      return new Response('ok', { status: 302, headers: { location: '/x' } });
    }) as unknown as typeof fetch);
    const response = await client(request());
    expect(response.status).toBe(302);
    expect(seen?.url).toBe('http://upstream.test:8080/path?q=1');
    expect(seen?.init).toMatchObject({ method: 'POST', redirect: 'manual' });
    expect(new Headers(seen?.init.headers).get('x-a')).toBe('1');
  });

  it('sends a header pair list as one record: repeats joined, names like constructor kept as sent', async () => {
    let init: RequestInit | undefined;
    const client = createFetchUpstreamClient((async (_url: string, seen: RequestInit) => {
      init = seen;
      return new Response('ok');
    }) as unknown as typeof fetch);
    const headerList = ['accept', 'a/b', 'constructor', 'c1', 'accept', 'c/d', '__proto__', 'p1'];
    await client({ ...request({ method: 'GET' }), headerList });
    const sent = new Headers(init?.headers);
    expect(sent.get('accept')).toBe('a/b, c/d');
    expect(sent.get('constructor')).toBe('c1');
    expect(sent.get('__proto__')).toBe('p1');
    expect([...sent.keys()]).toEqual(['__proto__', 'accept', 'constructor']);
  });

  it('no response headers within the timeout is ERR_UPSTREAM_TIMEOUT', async () => {
    const client = createFetchUpstreamClient(hangingFetch);
    const error = await client(request({ timeoutMs: 30 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('ERR_UPSTREAM_TIMEOUT');
    expect((error as GatewayError).detail).toMatchObject({
      origin: 'http://upstream.test:8080',
      timeoutMs: 30,
    });
  });

  it('a network failure is ERR_UPSTREAM_UNAVAILABLE', async () => {
    const client = createFetchUpstreamClient((() =>
      Promise.reject(new TypeError('Network connection lost.'))) as unknown as typeof fetch);
    const error = await client(request()).catch((e: unknown) => e);
    expect((error as GatewayError).code).toBe('ERR_UPSTREAM_UNAVAILABLE');
    expect((error as GatewayError).detail).toMatchObject({ message: 'Network connection lost.' });
  });

  it('sends a bodiless request without a signal, and still times out', async () => {
    let init: RequestInit | undefined;
    const client = createFetchUpstreamClient(((_url: string, seen: RequestInit) => {
      init = seen;
      return new Promise(() => undefined);
    }) as unknown as typeof fetch);
    const error = await client(request({ method: 'GET', timeoutMs: 30 })).catch((e: unknown) => e);
    expect((error as GatewayError).code).toBe('ERR_UPSTREAM_TIMEOUT');
    expect(init).toMatchObject({ method: 'GET', redirect: 'manual' });
    expect(init?.signal).toBeUndefined();
  });

  it('a client going away mid-upload aborts the upstream fetch and rethrows the client reason', async () => {
    const controller = new AbortController();
    const client = createFetchUpstreamClient(hangingFetch);
    const pending = client(request({ signal: controller.signal, body: new Blob(['x']).stream() }));
    const reason = new Error('client disconnected');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});
