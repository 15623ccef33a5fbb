import { withRequest, type Step } from '../context.js';
import { redactSearch } from '../observability/logger.js';
import { isWebSocketUpgrade, type WebSocketOptions } from '../proxy/websocket.js';

/**
 * Browsers cannot set headers on a WebSocket, so an upgrade may carry its bearer token in a
 * query parameter or a `Sec-WebSocket-Protocol` entry instead (docs/PROTOCOLS.md "Tokens").
 * This step runs before authorization on routes that configure either: it moves the token into
 * `Authorization` for the authorize step and removes it from where it came, so the upstream
 * never receives it there (and the access log never shows it). A token in `Authorization`
 * wins; the other places are still emptied. Requests that are not upgrades pass untouched.
 */
export function createWebSocketTokenStep(options: WebSocketOptions): Step | undefined {
  const { tokenQuery, tokenProtocolPrefix } = options;
  if (tokenQuery === undefined && tokenProtocolPrefix === undefined) return undefined;
  return (ctx, next) => {
    if (!isWebSocketUpgrade(ctx.method, ctx.request.headers)) return next(ctx);
    const headers = new Headers(ctx.request.headers);
    let token: string | undefined;
    let search = ctx.search;
    if (tokenQuery !== undefined && search.length > 1) {
      const params = new URLSearchParams(search);
      const value = params.get(tokenQuery);
      if (value !== null) {
        token = value;
        params.delete(tokenQuery);
        const rest = params.toString();
        search = rest === '' ? '' : `?${rest}`;
      }
    }
    if (tokenProtocolPrefix !== undefined) {
      const offered = headers.get('sec-websocket-protocol');
      if (offered !== null) {
        const kept: string[] = [];
        for (const entry of offered.split(',')) {
          const protocol = entry.trim();
          if (protocol.startsWith(tokenProtocolPrefix)) token ??= protocol.slice(tokenProtocolPrefix.length);
          else if (protocol !== '') kept.push(protocol);
        }
        if (kept.length === 0) headers.delete('sec-websocket-protocol');
        else headers.set('sec-websocket-protocol', kept.join(', '));
      }
    }
    if (token !== undefined && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
    const url = new URL(ctx.request.url);
    url.search = search;
    ctx.log.path = url.pathname + redactSearch(search);
    return next(withRequest(ctx, new Request(url, { method: 'GET', headers }), search));
  };
}
