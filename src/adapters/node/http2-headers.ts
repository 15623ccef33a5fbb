/**
 * Connection-specific fields a response on HTTP/2 must not carry (RFC 9113 §8.2.2): Node's
 * HTTP/2 layer refuses them outright. The gateway sets `Connection: close` on some errors for
 * HTTP/1.1; on HTTP/2 there is no connection to close per response, so they are dropped.
 */
const CONNECTION_SPECIFIC = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

export function withoutConnectionHeaders(reply: Response | Promise<Response>): Response | Promise<Response> {
  return reply instanceof Promise ? reply.then(strip) : strip(reply);
}

function strip(response: Response): Response {
  const headers = response.headers;
  if (!CONNECTION_SPECIFIC.some((name) => headers.has(name))) return response;
  try {
    for (const name of CONNECTION_SPECIFIC) headers.delete(name);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const name of CONNECTION_SPECIFIC) copy.headers.delete(name);
    return copy;
  }
}
