import type { RequestContext } from '../context.js';

/**
 * The client address `$request.ip` means (docs/TRAFFIC.md "Client address"). Today the adapter's
 * view of the connection: the socket peer on Node, `CF-Connecting-IP` on Workers (each adapter's
 * client-info.ts). A single function so the `gateway.trusted_proxies` rules (a proxy in front of
 * the gateway) replace it in one place.
 */
export function clientAddress(ctx: Pick<RequestContext, 'client'>): string {
  return ctx.client.address;
}
