import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../context.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { UpstreamClient, UpstreamRequest } from '../platform.js';
import { createProxyHandler, type ProxyHandlerOptions } from './forward.js';
import { compileServer } from './targets.js';

/**
 * The handler against an in-memory UpstreamClient that records what it was asked to send (the
 * real undici client over sockets is tested in adapters/node/upstream-client.test.ts).
 */

interface ContextInit {
  readonly method?: string;
  readonly path?: string;
  readonly search?: string;
  readonly headers?: [string, string][];
  readonly body?: string;
  readonly wildcardRest?: string;
}

function context(init: ContextInit = {}): RequestContext {
  const method = init.method ?? 'GET';
  const path = init.path ?? '/api/v1/health';
  const search = init.search ?? '';
  const request = new Request(`http://gw.example.com${path}${search}`, {
    method,
    headers: init.headers ?? [],
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return {
    request,
    requestId: 'req-1',
    method,
    path,
    search,
    host: 'gw.example.com',
    client: { address: '198.51.100.9', protocol: 'http' },
    clientAddress: { address: '198.51.100.9', chain: ['198.51.100.9'], viaTrustedProxy: false },
    signal: new AbortController().signal,
    params: {},
    wildcardRest: init.wildcardRest,
    claims: undefined,
    log: {},
  };
}

function recorder(respond: (request: UpstreamRequest) => Response | Promise<Response>): {
  upstream: UpstreamClient;
  sent: UpstreamRequest[];
} {
  const sent: UpstreamRequest[] = [];
  return {
    sent,
    upstream: async (request) => {
      sent.push(request);
      return respond(request);
    },
  };
}

const server = compileServer({
  alias: 'backend',
  url: 'https://b.example.com/base?key=k1',
  timeout_ms: 1234,
});

function options(extra: Partial<ProxyHandlerOptions> = {}): ProxyHandlerOptions {
  return {
    server,
    timeoutMs: server.timeoutMs,
    stripAuthorization: false,
    mappedHeaderNames: [],
    maxBodyBytes: 1024 * 1024,
    hasQueryMapping: false,
    ...extra,
  };
}

describe('createProxyHandler', () => {
  it('sends method, URL, headers, signal and timeout upstream', async () => {
    const { upstream, sent } = recorder(() => new Response('ok'));
    const ctx = context({
      path: '/api/v1/health',
      search: '?x=1',
      headers: [
        ['x-forwarded-for', '6.6.6.6'],
        ['connection', 'x-hop'],
        ['x-hop', '1'],
        ['accept', 'application/json'],
      ],
    });
    await createProxyHandler(options(), upstream)(ctx);

    const [request] = sent;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('https://b.example.com/base/api/v1/health?key=k1&x=1');
    expect(request?.headers.get('x-forwarded-for')).toBe('198.51.100.9');
    expect(request?.headers.get('x-request-id')).toBe('req-1');
    expect(request?.headers.get('x-forwarded-host')).toBe('gw.example.com');
    expect(request?.headers.get('accept')).toBe('application/json');
    expect(request?.headers.has('x-hop')).toBe(false);
    expect(request?.body).toBeNull();
    expect(request?.signal).toBe(ctx.signal);
    expect(request?.timeoutMs).toBe(1234);
  });

  it('appends what the wildcard matched to the server path', async () => {
    const { upstream, sent } = recorder(() => new Response('ok'));
    const handler = createProxyHandler(options(), upstream);
    await handler(context({ path: '/api/v1/proxy/orders/1', wildcardRest: 'orders/1' }));
    await handler(context({ path: '/api/v1/proxy', wildcardRest: '' }));
    expect(sent.map((r) => r.url)).toEqual([
      'https://b.example.com/base/orders/1?key=k1',
      'https://b.example.com/base/?key=k1',
    ]);
  });

  it('streams the request body for methods that carry one', async () => {
    const { upstream, sent } = recorder(() => new Response('ok'));
    await createProxyHandler(options(), upstream)(context({ method: 'POST', body: 'hello' }));
    const body = sent[0]?.body;
    expect(body).toBeInstanceOf(ReadableStream);
    expect(await new Response(body).text()).toBe('hello');
  });

  it('sends no body for Content-Length: 0', async () => {
    const { upstream, sent } = recorder(() => new Response('ok'));
    await createProxyHandler(
      options(),
      upstream,
    )(context({ method: 'POST', body: '', headers: [['content-length', '0']] }));
    expect(sent[0]?.body).toBeNull();
  });

  it('removes mapped headers before mapping runs, then lets mapping set them', async () => {
    const { upstream, sent } = recorder(() => new Response('ok'));
    let seenByMapping: string | null = 'unset';
    const handler = createProxyHandler(
      options({
        mappedHeaderNames: ['X-User-Id'],
        applyMapping: (_ctx, headers) => {
          seenByMapping = headers.get('x-user-id');
          headers.set('x-user-id', 'u-42');
        },
      }),
      upstream,
    );
    await handler(context({ search: '?a=%20b', headers: [['x-user-id', 'admin']] }));
    expect(seenByMapping).toBeNull();
    expect(sent[0]?.headers.get('x-user-id')).toBe('u-42');
    // Header-only mapping: the raw query string is forwarded untouched.
    expect(sent[0]?.url).toBe('https://b.example.com/base/api/v1/health?key=k1&a=%20b');
  });

  it('uses the mapped query when mapping sets query parameters', async () => {
    const { upstream, sent } = recorder(() => new Response('ok'));
    const handler = createProxyHandler(
      options({
        hasQueryMapping: true,
        applyMapping: (_ctx, _headers, query) => {
          query.set('tenant', 't1');
          query.delete('secret');
        },
      }),
      upstream,
    );
    await handler(context({ search: '?x=1&secret=s&tenant=spoofed' }));
    expect(sent[0]?.url).toBe('https://b.example.com/base/api/v1/health?key=k1&x=1&tenant=t1');
  });

  it('records upstream status and time, and cleans hop-by-hop response headers', async () => {
    const { upstream } = recorder(
      () =>
        new Response('{}', {
          status: 201,
          headers: [
            ['content-type', 'application/json'],
            ['connection', 'x-hop'],
            ['x-hop', '1'],
            ['keep-alive', 'timeout=5'],
          ],
        }),
    );
    const ctx = context();
    // The recorder answers with Responses, so the handler passes a Response on.
    const response = (await createProxyHandler(options(), upstream)(ctx)) as Response;
    expect(ctx.log.upstreamStatus).toBe(201);
    expect(typeof ctx.log.upstreamMs).toBe('number');
    expect(response.status).toBe(201);
    expect([...response.headers.keys()]).toEqual(['content-type']);
  });

  it('passes redirects through untouched, with mutable headers even when the client gave immutable ones', async () => {
    // Response.redirect has immutable headers, like a Workers fetch() response.
    const { upstream } = recorder(() => Response.redirect('https://elsewhere.example/login', 302));
    const response = (await createProxyHandler(options(), upstream)(context())) as Response;
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://elsewhere.example/login');
    response.headers.set('x-request-id', 'req-1');
    expect(response.headers.get('x-request-id')).toBe('req-1');
  });

  it('ejects a URL whose connection failed, not one that timed out', async () => {
    // No retries here: the failure must reach the client for this test (retries: test/protocols/retries.test.ts).
    const pool = compileServer({
      alias: 'pool',
      url: ['http://a.internal', 'http://b.internal'],
      retries: 0,
    });
    const { upstream, sent } = recorder((request) => {
      if (request.url.startsWith('http://a.internal/fail'))
        throw new GatewayError('ERR_UPSTREAM_UNAVAILABLE');
      if (request.url.startsWith('http://b.internal/slow')) throw new GatewayError('ERR_UPSTREAM_TIMEOUT');
      return new Response('ok');
    });
    const handler = createProxyHandler(options({ server: pool }), upstream);
    const ctx = context({ path: '/fail' });
    await expect(handler(ctx)).rejects.toMatchObject({ code: 'ERR_UPSTREAM_UNAVAILABLE' });
    expect(typeof ctx.log.upstreamMs).toBe('number');
    await expect(handler(context({ path: '/slow' }))).rejects.toMatchObject({ code: 'ERR_UPSTREAM_TIMEOUT' });
    for (let i = 0; i < 3; i++) await handler(context({ path: '/ok' }));
    expect(sent.slice(2).map((r) => new URL(r.url).host)).toEqual(['b.internal', 'b.internal', 'b.internal']);
  });

  it('does not eject an upstream when the failure came from the client leaving', async () => {
    const pool = compileServer({ alias: 'pool', url: ['http://a.internal', 'http://b.internal'] });
    const controller = new AbortController();
    const { upstream, sent } = recorder(() => {
      controller.abort(new Error('client disconnected'));
      throw new GatewayError('ERR_UPSTREAM_UNAVAILABLE');
    });
    const ctx = { ...context(), signal: controller.signal };
    await expect(createProxyHandler(options({ server: pool }), upstream)(ctx)).rejects.toThrow();
    expect(pool.next().prefix).toBe('http://b.internal');
    expect(pool.next().prefix).toBe('http://a.internal');
    expect(sent).toHaveLength(1);
  });
});

describe('UpstreamRequest.setHeader', () => {
  it('appends to the pair list built from the adapter raw headers, building no Headers', async () => {
    const ctx = context({ headers: [['x-tag', 'a']] });
    const raw = ['Host', 'gw.example.com', 'X-Tag', 'a'];
    const withAdapter: RequestContext = {
      ...ctx,
      adapterRequest: ctx.request,
      client: {
        ...ctx.client,
        requestHeaders: {
          get: (name) => (name === 'host' ? 'gw.example.com' : name === 'x-tag' ? 'a' : null),
        },
        rawRequestHeaders: raw,
      },
    };
    let list: readonly string[] | undefined;
    const { upstream } = recorder((request) => {
      request.setHeader?.('Traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
      request.setHeader?.('x-tag', 'b');
      list = request.headerList;
      return new Response('ok');
    });
    await createProxyHandler(options(), upstream)(withAdapter);
    expect(list).toBeDefined();
    const pairs = [...(list ?? [])];
    expect(pairs.filter((_, i) => i % 2 === 0 && pairs[i] === 'x-tag')).toHaveLength(1);
    expect(pairs[pairs.indexOf('x-tag') + 1]).toBe('b');
    expect(pairs[pairs.indexOf('traceparent') + 1]).toBe(
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    );
  });

  it('sets the Headers of a call that has no pair list', async () => {
    let seen: string | null = null;
    const { upstream } = recorder((request) => {
      request.setHeader?.('traceparent', '00-abc');
      seen = request.headers.get('traceparent');
      return new Response('ok');
    });
    await createProxyHandler(options(), upstream)(context());
    expect(seen).toBe('00-abc');
  });
});
