// The floor for a proxied route on Workers (P5): the least a Worker can do to proxy
// `GET /api/items/42` to the upstream's `/items/42` with the runtime's `fetch`, in the same
// workerd as Gatehouse. The request (method, headers, body) is passed on as it is; the
// upstream's response is returned as it is.
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    const path = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
    return fetch(env.UPSTREAM_URL + path + url.search, request);
  },
};
