// P5 ladder (docs/BENCHMARKS.md, session 12): the proxy floor with the upstream headers as
// `new Headers(request.headers)` less Host, plus the request id and the forwarding headers.
// Run: node bench/workers/ab.mjs workers-floor-proxy,NAME=bench/workers/ladder/NAME.mjs@workers-floor-proxy
/* global Headers, crypto */
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    const path = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
    const headers = new Headers(request.headers);
    headers.delete('host');
    headers.set('x-request-id', crypto.randomUUID());
    headers.set('x-forwarded-proto', 'http');
    headers.set('x-forwarded-host', url.host);
    headers.set('x-forwarded-port', url.port);
    headers.set('forwarded', `host="${url.host}";proto=http`);
    return fetch(env.UPSTREAM_URL + path + url.search, {
      method: request.method,
      headers,
      redirect: 'manual',
    });
  },
};
