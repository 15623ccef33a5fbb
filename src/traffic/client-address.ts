import type { RequestContext } from '../context.js';

/**
 * The client address `$request.ip` means (docs/TRAFFIC.md "Client address"): the gateway's one
 * answer to "who is the client?" (proxy/client-address.ts, under `gateway.trusted_proxies`),
 * resolved once per request at the entrance — the socket peer on Node and `CF-Connecting-IP` on
 * Workers, unless a trusted proxy forwarded the request.
 */
export function clientAddress(ctx: Pick<RequestContext, 'clientAddress'>): string {
  return ctx.clientAddress.address;
}
