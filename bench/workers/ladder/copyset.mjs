// P5 ladder (docs/BENCHMARKS.md, session 12): the proxy floor plus the response copy and the two
// headers every Gatehouse answer carries (X-Request-Id, X-Powered-By).
// Run: node bench/workers/ab.mjs workers-floor-proxy,NAME=bench/workers/ladder/NAME.mjs@workers-floor-proxy
/* global Response, crypto */
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const path = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
    const r = await fetch(env.UPSTREAM_URL + path + url.search, request);
    const c = new Response(r.body, r);
    c.headers.set('x-request-id', crypto.randomUUID());
    c.headers.set('x-powered-by', 'Gatehouse');
    return c;
  },
};
