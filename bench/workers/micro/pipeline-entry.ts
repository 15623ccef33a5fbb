// The Worker of bench/workers/pipeline-cost.mjs: the gateway's own Worker (adapters/workers/worker.ts)
// called N times per HTTP request with an in-isolate upstream, so workerd's process CPU over the
// loop is the gateway's own cost per request (JavaScript plus its calls into the runtime), without
// the sockets, the HTTP parsing and the real `fetch` that every Worker pays alike.
//   GET /?kind=floor|gateway&path=/api/items/42&n=N  (header `x-bench-authorization` → Authorization)
import { createWorker } from '../../../src/adapters/workers/worker.js';
import { createFetchUpstreamClient } from '../../../src/adapters/workers/upstream-client.js';
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
      const response =
        params.get('kind') === 'floor' ? await floor(incoming, env) : await worker.fetch(incoming, env, ctx);
      status = response.status;
    }
    return new Response(String(status));
  },
};
