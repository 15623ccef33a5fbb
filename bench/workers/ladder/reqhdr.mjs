// P5 ladder (docs/BENCHMARKS.md, session 12): the proxy floor with the upstream request built as
// `new Request(url, request)` plus the request id and the forwarding headers, set one by one.
// Run: node bench/workers/ab.mjs workers-floor-proxy,NAME=bench/workers/ladder/NAME.mjs@workers-floor-proxy
/* global Request, crypto */
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    const path = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
    const req = new Request(env.UPSTREAM_URL + path + url.search, request);
    const h = req.headers;
    h.set('x-request-id', crypto.randomUUID());
    h.set('x-forwarded-proto', 'http');
    h.set('x-forwarded-host', url.host);
    h.set('x-forwarded-port', url.port);
    h.set('forwarded', `host="${url.host}";proto=http`);
    return fetch(req);
  },
};
