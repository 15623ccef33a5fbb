import { expect, it } from 'vitest';
import { rawRequest } from '../../helpers/raw-http.js';
import { skipOn, type SuiteContext } from '../suite.js';

export function proxyCases(ctx: SuiteContext): void {
  it('a wildcard route appends the rest of the path to the server path, keeping the query', async () => {
    const response = await ctx.request('/proxy/orders/1?x=1&y=two');
    expect(response.status).toBe(200);
    expect(ctx.upstream.requests[0]?.url).toBe('/base/orders/1?x=1&y=two');
  });

  it('the wildcard prefix alone maps to the server path with a trailing slash', async () => {
    await ctx.request('/proxy');
    expect(ctx.upstream.requests[0]?.url).toBe('/base/');
  });

  it('a non-wildcard route appends the full request path', async () => {
    await ctx.request('/api/v1/health');
    expect(ctx.upstream.requests[0]?.url).toBe('/base/api/v1/health');
  });

  it("the server URL's query comes first, then the request's", async () => {
    await ctx.request('/query/list?page=2&shared=client');
    expect(ctx.upstream.requests[0]?.url).toBe('/q/list?fixed=1&shared=server&page=2&shared=client');
  });

  it('method, body and content type reach the upstream unchanged', async () => {
    const body = JSON.stringify({ order: 42, note: 'ünïcode' });
    const response = await ctx.request('/proxy/orders', {
      method: 'PUT',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    const received = ctx.upstream.requests[0];
    expect(received?.method).toBe('PUT');
    expect(received?.body).toBe(body);
    expect(received?.headers['content-type']).toBe('application/json');
  });

  it("Host is the upstream authority; at the edge every forwarding header is the gateway's own", async () => {
    await ctx.request('/up/who', {
      headers: {
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
        'x-forwarded-port': '1',
        'x-real-ip': '6.6.6.6',
        forwarded: 'for=6.6.6.6',
      },
    });
    const headers = ctx.upstream.requests[0]?.headers ?? {};
    const gateway = new URL(ctx.target.url);
    expect(headers.host).toBe(new URL(ctx.upstream.url).host);
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-real-ip']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe(gateway.host);
    expect(headers['x-forwarded-port']).toBe(gateway.port);
    expect(headers.forwarded).toBe(`for=127.0.0.1;host="${gateway.host}";proto=http`);
  });

  it('hop-by-hop headers, including the ones Connection names, are not forwarded', async () => {
    const host = new URL(ctx.target.url).host;
    const response = await rawRequest(
      ctx.target.url,
      `GET /up/hop HTTP/1.1\r\nHost: ${host}\r\nConnection: close, x-private\r\nX-Private: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic abc\r\nX-Kept: yes\r\n\r\n`,
    );
    expect(response.status).toBe(200);
    const headers = ctx.upstream.requests[0]?.headers ?? {};
    for (const name of ['x-private', 'keep-alive', 'te', 'proxy-authorization'])
      expect(headers[name]).toBeUndefined();
    expect(headers['x-kept']).toBe('yes');
  });

  it('hop-by-hop response headers are removed, Set-Cookie values all kept', async () => {
    const response = await ctx.request('/up/headers');
    expect(response.status).toBe(200);
    // The gateway's own connection may carry Keep-Alive; the upstream's value must not leak through.
    expect(response.headers.get('keep-alive')).not.toBe('timeout=77');
    expect(response.headers.get('x-hop')).toBeNull();
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(response.headers.get('x-powered-by')).toBe('Gatehouse');
  });

  // The Workers client hands the upstream headers to fetch as one plain record (adapters/workers/upstream-client.ts).
  it('client headers named like object properties reach the upstream as sent', async () => {
    await ctx.request('/up/props', { headers: { constructor: 'c1', tostring: 't1', 'x-kept': 'k' } });
    const headers = ctx.upstream.requests[0]?.headers ?? {};
    expect(headers['constructor']).toBe('c1');
    expect(headers['tostring']).toBe('t1');
    expect(headers['x-kept']).toBe('k');
  });

  it('the client Authorization header is forwarded unless the route strips it', async () => {
    await ctx.request('/up/keep', { headers: { authorization: 'Bearer abc' } });
    await ctx.request('/strip', { headers: { authorization: 'Bearer abc' } });
    expect(ctx.upstream.requests[0]?.headers.authorization).toBe('Bearer abc');
    expect(ctx.upstream.requests[1]?.headers.authorization).toBeUndefined();
  });

  it('upstream redirects are passed to the client, never followed', async () => {
    const response = await ctx.request('/up/redirect');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/elsewhere');
    expect(ctx.upstream.requests).toHaveLength(1);
  });

  it('upstream error statuses pass through with their body', async () => {
    const response = await ctx.request('/up/status/503');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ upstream: 'status' });
  });

  it('a refused connection is 502 with a body that names no address', async () => {
    const response = await ctx.request('/down');
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: 'Upstream unavailable', code: 'ERR_UPSTREAM_UNAVAILABLE' });
    expect(text).not.toContain('127.0.0.1');
  });

  it('a silent upstream is 504 within the server timeout', async () => {
    const started = Date.now();
    const response = await ctx.request('/slow/silent');
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ error: 'Upstream timed out', code: 'ERR_UPSTREAM_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5000);
    // The upstream request does not linger: Node aborts it; on Workers a bodiless call carries no
    // signal and the runtime cancels it when the request ends (adapters/workers/upstream-client.ts).
    await waitFor(() => ctx.upstream.requests[0]?.aborted === true);
    expect(ctx.upstream.requests[0]?.aborted).toBe(true);
  });

  it("a route's timeout_ms overrides the server's", async () => {
    const response = await ctx.request('/route-timeout/slow/1500');
    expect(response.status).toBe(504);
  });

  // workerd's HTTP server writes the final chunk when a response body stream fails, so a chunked
  // or compressed response ends cleanly there (Miniflare gzips text, as Cloudflare's edge does).
  skipOn(
    ctx,
    'workerd',
    'workerd ends a chunked/gzip response cleanly when its body stream fails',
  )('an upstream dying mid-body aborts the client response instead of ending it cleanly', async () => {
    const response = await ctx.request('/up/die-mid-body');
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it('an upstream dying mid-body keeps its declared length, so an uncompressed response is cut short', async () => {
    const response = await ctx.request('/up/die-mid-body', { headers: { 'accept-encoding': 'identity' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('1000');
    await expect(response.text()).rejects.toThrow();
  });

  it('large bodies stream through in both directions', async () => {
    const size = 3 * 1024 * 1024;
    const download = await ctx.request(`/up/large/${size}`);
    expect((await download.arrayBuffer()).byteLength).toBe(size);
    const upload = await ctx.request('/up/upload', { method: 'POST', body: 'x'.repeat(512 * 1024) });
    expect(upload.status).toBe(200);
    expect(ctx.upstream.requests[1]?.body.length).toBe(512 * 1024);
  });

  it('a declared body larger than the limit is 413 and nothing is forwarded', async () => {
    // The declared length alone decides, before any body byte is read: the client sends the head
    // and a first kilobyte. (A fetch client writing the whole 1 MiB raced the gateway's close after
    // its early 413 and now and then saw only ECONNRESET, RFC 9112 §9.6.)
    const host = new URL(ctx.target.url).host;
    const response = await rawRequest(
      ctx.target.url,
      `POST /up/too-big HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\nContent-Length: ${1024 * 1024 + 1}\r\n\r\n${'x'.repeat(1024)}`,
    );
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ error: 'Payload too large', code: 'ERR_PAYLOAD_TOO_LARGE' });
    expect(ctx.upstream.requests).toHaveLength(0);
  });

  it('an undeclared (chunked) body is cut off with 413 once it passes the limit', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(120);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // 2 MiB against a 1 MiB limit, in chunks, with no Content-Length.
        if (sent >= 2 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const response = await ctx.request('/up/chunked-upload', {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: 'Payload too large', code: 'ERR_PAYLOAD_TOO_LARGE' });
    // The upstream never saw a complete request.
    expect(ctx.upstream.requests).toHaveLength(0);
  });

  // Covered on workerd by test/workers/worker.test.ts, where a Worker caller cancels the request.
  skipOn(
    ctx,
    'workerd',
    "workerd's HTTP/1 server does not notice a client leaving before the response",
  )('a client that goes away aborts the upstream request', async () => {
    const controller = new AbortController();
    const pending = ctx.request('/up/slow/3000', { signal: controller.signal }).catch(() => undefined);
    await waitFor(() => ctx.upstream.requests.length === 1);
    controller.abort();
    await pending;
    await waitFor(() => ctx.upstream.requests[0]?.aborted === true);
    expect(ctx.upstream.requests[0]?.aborted).toBe(true);
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
