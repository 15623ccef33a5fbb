import { Answer, type Reply } from '../answer.js';
import type { RequestContext } from '../context.js';
import { publicAuthority } from './forwarding-headers.js';
import type { UpstreamBase } from './upstream-url.js';

/**
 * An upstream that redirects to its own absolute URL (`Location: http://10.0.0.5:9100/echo`)
 * would hand the client an internal address it cannot reach and should not learn. When an
 * absolute `Location` or `Content-Location` points at the upstream's origin and under the server
 * URL's path, it is rewritten to the gateway's public origin and the route's prefix, so it names
 * the same resource through the gateway (docs/BEHAVIOUR.md "Hostile input"). Relative values and
 * other origins pass unchanged; route `rewrite_location: false` turns this off.
 */
const LOCATION_HEADERS = ['location', 'content-location'] as const;

export function rewriteUpstreamLocations(reply: Reply, base: UpstreamBase, ctx: RequestContext): Reply {
  if (reply instanceof Answer) {
    let headers: Record<string, string> | undefined;
    for (const name of LOCATION_HEADERS) {
      const value = reply.headers[name];
      if (value === undefined) continue;
      const rewritten = rewrite(value, base, ctx);
      if (rewritten === undefined) continue;
      headers ??= { ...reply.headers };
      headers[name] = rewritten;
    }
    return headers === undefined ? reply : new Answer(reply.status, headers, reply.body);
  }
  // Read once: on Workers each property read of a Response is a call into the runtime.
  const headers = reply.headers;
  for (const name of LOCATION_HEADERS) {
    const value = headers.get(name);
    if (value === null) continue;
    const rewritten = rewrite(value, base, ctx);
    if (rewritten !== undefined) headers.set(name, rewritten);
  }
  return reply;
}

/** The public URL for an upstream URL, or undefined when it is not one of the upstream's. */
function rewrite(value: string, base: UpstreamBase, ctx: RequestContext): string | undefined {
  // Absolute, or scheme-relative (`//10.0.0.5:9100/x`, which names the upstream just the same).
  if (!/^(https?:)?\/\//i.test(value)) return undefined;
  let target: URL;
  let upstream: URL;
  try {
    upstream = new URL(base.prefix);
    target = new URL(value, upstream);
  } catch {
    return undefined;
  }
  if (target.origin !== upstream.origin) return undefined;
  const basePath = upstream.pathname === '/' ? '' : upstream.pathname;
  if (basePath !== '' && target.pathname !== basePath && !target.pathname.startsWith(`${basePath}/`))
    return undefined;
  const rest = target.pathname.slice(basePath.length) || '/';
  const { protocol, host } = publicAuthority({
    resolved: ctx.clientAddress,
    protocol: ctx.client.protocol,
    host: ctx.host,
    incoming: ctx.request.headers,
  });
  if (host === '') return undefined;
  return `${protocol}://${host}${routePrefix(ctx)}${rest}${target.search}${target.hash}`;
}

/**
 * What the gateway puts in front of the upstream path: for `/api/proxy/{.+}` the matched prefix
 * (`/api/proxy`); for any other route nothing (the whole path is forwarded, upstream-url.ts).
 */
function routePrefix(ctx: RequestContext): string {
  if (ctx.wildcardRest === undefined) return '';
  const prefix = ctx.path.slice(0, ctx.path.length - ctx.wildcardRest.length);
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}
