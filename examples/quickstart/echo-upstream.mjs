/* global Response */
/**
 * The quick start's upstream: a `service` module that answers with what it received, so the
 * tour can show what the gateway sent upstream (the `x-user-id` mapped from the token, the
 * `X-Forwarded-*` headers it set). The gateway reaches it through its own `/upstream/*` routes:
 * the server URL "/upstream" in api-config.json means "this gateway, on whatever port it listens".
 */
export default {
  fetch(request) {
    const url = new URL(request.url);
    return Response.json({
      upstream: 'the quick start echo service',
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(request.headers),
    });
  },
};
