// P5 ladder (docs/BENCHMARKS.md, session 12): the proxy floor with the upstream headers as one
// plain record (the client's, less Host, plus the request id and the forwarding headers), as
// src/adapters/workers/upstream-client.ts hands them to `fetch`.
// Run: node bench/workers/ab.mjs workers-floor-proxy,NAME=bench/workers/ladder/NAME.mjs@workers-floor-proxy
/* global crypto */
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    const path = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
    const headers = Object.create(null);
    for (const [name, value] of request.headers) if (name !== 'host') headers[name] = value;
    headers['x-request-id'] = crypto.randomUUID();
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-host'] = url.host;
    headers['x-forwarded-port'] = url.port;
    headers['forwarded'] = `host="${url.host}";proto=http`;
    return fetch(env.UPSTREAM_URL + path + url.search, {
      method: request.method,
      headers,
      redirect: 'manual',
    });
  },
};
