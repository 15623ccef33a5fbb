import type { RequestContext } from '../context.js';
import type { HeaderReader } from '../proxy/client-address.js';

/**
 * The request's headers for reading: the adapter's reader when it has one (Node: node:http's
 * parsed record, no Web `Headers` built) and the request is still the one the adapter made;
 * a request a step replaced (`withRequest`, a session's credentials) is read as that step built
 * it. Values are those of `Headers.get` (repeats joined by `, `).
 */
export function requestHeaderReader(ctx: RequestContext): HeaderReader {
  if (ctx.request !== ctx.adapterRequest) return ctx.request.headers;
  return ctx.client.requestHeaders ?? ctx.request.headers;
}
