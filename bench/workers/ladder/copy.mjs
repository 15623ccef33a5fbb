// P5 ladder (docs/BENCHMARKS.md, session 12): the proxy floor plus the one response copy any
// decoration needs (`fetch` responses have immutable headers).
// Run: node bench/workers/ab.mjs workers-floor-proxy,NAME=bench/workers/ladder/NAME.mjs@workers-floor-proxy
/* global Response */
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const path = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
    const r = await fetch(env.UPSTREAM_URL + path + url.search, request);
    return new Response(r.body, r);
  },
};
