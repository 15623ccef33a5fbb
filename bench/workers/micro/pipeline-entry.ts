// The Worker of bench/workers/pipeline-cost.mjs: the gateway's own Worker (adapters/workers/worker.ts)
// called N times per HTTP request with an in-isolate upstream, so workerd's process CPU over the
// loop is the gateway's own cost per request (JavaScript plus its calls into the runtime), without
// the sockets, the HTTP parsing and the real `fetch` that every Worker pays alike.
//   GET /?kind=floor|essential|hello|essential-static|gateway&path=/api/items/42&n=N  (header `x-bench-authorization` → Authorization)
import { createWorker } from '../../../src/adapters/workers/worker.js';
import { createFetchUpstreamClient } from '../../../src/adapters/workers/upstream-client.js';
import { HOP_BY_HOP_HEADERS } from '../../../src/proxy/hop-by-hop.js';
import type { WorkerEnv, WorkerExecutionContext } from '../../../src/adapters/workers/types.js';

const BODY = '{"ok":true,"path":"/items/42","user":null}';

/** What the bench upstream (bench/upstream.mjs) answers, as the runtime's fetch would hand it over. */
function upstreamResponse(): Response {
  return new Response(BODY, {
    headers: {
      'content-type': 'application/json',
      'content-length': String(BODY.length),
      date: 'Tue, 01 Dec 2026 08:00:00 GMT',
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
    },
  });
}

const fakeFetch = ((): Promise<Response> => Promise.resolve(upstreamResponse())) as typeof fetch;
const worker = createWorker({ upstream: createFetchUpstreamClient(fakeFetch) });

/** The floor's own work (bench/workers/floor-proxy.mjs) around the same in-isolate upstream. */
function floor(request: Request, env: WorkerEnv): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
  return fakeFetch(String(env['UPSTREAM_URL']) + path + url.search, request);
}

/**
 * The least a Worker can do and still behave as docs/BEHAVIOUR.md requires of a proxied route,
 * written straight: the client's headers in one pass into a record, less Host, plus the request
 * id and the forwarding headers; the timeout timer; the response copied once, hop-by-hop headers
 * deleted, X-Request-Id and X-Powered-By set. No routing, no config, no error handling.
 */
function essential(request: Request, env: WorkerEnv): Promise<Response> {
  const url = request.url;
  const start = url.indexOf('/', 8);
  const path = url.slice(start + 4);
  const requestId = crypto.randomUUID();
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of request.headers) if (name !== 'host') headers[name] = value;
  headers['x-request-id'] = requestId;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-host'] = 'gateway.example';
  headers['x-forwarded-port'] = '80';
  headers['forwarded'] = 'host=gateway.example;proto=http';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), 30_000);
    fakeFetch(String(env['UPSTREAM_URL']) + path, {
      method: request.method,
      headers,
      redirect: 'manual',
    }).then((response) => {
      clearTimeout(timer);
      const copy = new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
      const out = copy.headers;
      for (const name of HOP_BY_HOP_HEADERS) out.delete(name);
      out.set('x-request-id', requestId);
      out.set('x-powered-by', 'Gatehouse');
      resolve(copy);
    }, reject);
  });
}

const STATIC_BODY = '{"status":"ok"}';

/** The minimal hello Worker's own work (bench/workers/floor-hello.mjs): the floor of a static route. */
function hello(): Response {
  return new Response(STATIC_BODY, { headers: { 'content-type': 'application/json' } });
}

/**
 * The least a Worker can do and still answer a static route as docs/BEHAVIOUR.md requires: the
 * hello Worker's answer plus the two headers every Gatehouse answer carries (a new request id,
 * X-Powered-By). No routing, no config, no checks of the request.
 */
function essentialStatic(): Response {
  return new Response(STATIC_BODY, {
    headers: {
      'content-type': 'application/json',
      'x-request-id': crypto.randomUUID(),
      'x-powered-by': 'Gatehouse',
    },
  });
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: WorkerExecutionContext): Promise<Response> {
    const params = new URL(request.url).searchParams;
    const n = Number(params.get('n') ?? '1');
    const path = params.get('path') ?? '/api/items/42';
    const headers: Record<string, string> = { host: 'gateway.example', 'user-agent': 'wrk' };
    const authorization = request.headers.get('x-bench-authorization');
    if (authorization !== null) headers['authorization'] = authorization;
    const target = `http://gateway.example${path}`;
    let status = 0;
    for (let i = 0; i < n; i++) {
      const incoming = new Request(target, { headers });
      const kind = params.get('kind');
      const response =
        kind === 'floor'
          ? await floor(incoming, env)
          : kind === 'hello'
            ? hello()
            : kind === 'essential-static'
              ? essentialStatic()
              : kind === 'essential'
                ? await essential(incoming, env)
                : await worker.fetch(incoming, env, ctx);
      status = response.status;
    }
    return new Response(String(status));
  },
};
