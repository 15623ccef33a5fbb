// The least a Worker can do and still behave as docs/BEHAVIOUR.md requires of a proxied route
// (`GET /api/items/42` → the upstream's `/items/42`), written straight, for the ladder between the
// minimal proxy Worker (floor-proxy.mjs) and Gatehouse: the client's headers in one pass into a
// record less Host, plus the request id and the forwarding headers; the `timeout_ms` timer; the
// response copied once (`fetch` responses are immutable), hop-by-hop headers deleted,
// X-Request-Id and X-Powered-By set. No routing, no config, no error vocabulary.
//   node bench/workers/ab.mjs workers-floor-proxy,essential=bench/workers/essential-proxy.mjs@workers-floor-proxy,workers-proxied
// The same steps run in-isolate in bench/workers/micro/pipeline-entry.ts (`essential`).
/* global Response, crypto */
// workerd loads this file alone (no bundling), so it carries its own copy of the list in
// src/proxy/hop-by-hop.ts; bench/workers/micro/pipeline-entry.ts imports that list instead.
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'trailer',
];

export default {
  fetch(request, env) {
    const url = request.url;
    const authority = url.indexOf('//') + 2;
    const pathStart = url.indexOf('/', authority);
    const host = url.slice(authority, pathStart);
    const path = url.slice(pathStart + 4); // `/api` off
    const requestId = crypto.randomUUID();
    const headers = Object.create(null);
    for (const [name, value] of request.headers) if (name !== 'host') headers[name] = value;
    headers['x-request-id'] = requestId;
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-host'] = host;
    headers['x-forwarded-port'] = host.slice(host.lastIndexOf(':') + 1);
    headers['forwarded'] = `host="${host}";proto=http`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('upstream timeout')), 30_000);
      fetch(env.UPSTREAM_URL + path, { method: request.method, headers, redirect: 'manual' }).then(
        (response) => {
          clearTimeout(timer);
          const copy = new Response(response.body, {
            status: response.status,
            statusText: response.statusText,
            headers: response.headers,
          });
          const out = copy.headers;
          for (const name of HOP_BY_HOP) out.delete(name);
          out.set('x-request-id', requestId);
          out.set('x-powered-by', 'Gatehouse');
          resolve(copy);
        },
        reject,
      );
    });
  },
};
