// P5 ladder (docs/BENCHMARKS.md, session 12): the proxy floor (../floor-proxy.mjs) as an `async`
// function that awaits `fetch` and returns its response; nothing else changed.
// Run: node bench/workers/ab.mjs workers-floor-proxy,NAME=bench/workers/ladder/NAME.mjs@workers-floor-proxy
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const path = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
    const r = await fetch(env.UPSTREAM_URL + path + url.search, request);
    return r;
  },
};
