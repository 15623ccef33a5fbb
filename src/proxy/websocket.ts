import type { WebSocketConfig } from '../config/schema.js';
import type { RequestContext } from '../context.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Reply } from '../answer.js';
import type { UpgradeRequest, UpstreamUpgrader } from '../platform.js';

/** docs/PROTOCOLS.md: a relay silent this long in both directions is closed (nginx's default too). */
export const DEFAULT_WEBSOCKET_IDLE_TIMEOUT_MS = 60_000;

/** A route's `websocket` setting, compiled once. */
export interface WebSocketOptions {
  readonly enabled: boolean;
  readonly idleTimeoutMs: number;
  /** Query parameter that may carry the bearer token of an upgrade (browsers cannot set headers). */
  readonly tokenQuery: string | undefined;
  /** `Sec-WebSocket-Protocol` entry prefix that may carry the bearer token, e.g. `bearer.`. */
  readonly tokenProtocolPrefix: string | undefined;
}

export function compileWebSocketOptions(config: WebSocketConfig | undefined): WebSocketOptions {
  const settings = typeof config === 'object' ? config : {};
  return {
    enabled: config !== false,
    idleTimeoutMs: settings.idle_timeout_ms ?? DEFAULT_WEBSOCKET_IDLE_TIMEOUT_MS,
    tokenQuery: settings.token_query,
    tokenProtocolPrefix: settings.token_protocol_prefix,
  };
}

/** RFC 6455 §4.1: a GET whose `Upgrade` lists `websocket` (any case). */
export function isWebSocketUpgrade(method: string, headers: Pick<Headers, 'get'>): boolean {
  if (method !== 'GET') return false;
  const upgrade = headers.get('upgrade');
  return upgrade !== null && /(^|,)\s*websocket\s*(,|$)/i.test(upgrade);
}

/**
 * Sends the handshake upstream through the platform's upgrader. The upstream headers were built
 * by the proxy's rules, which drop hop-by-hop headers; the two this hop needs are set again.
 * A route or platform without WebSocket support refuses with 426, never a plain GET upstream.
 */
export function relayUpgrade(
  ctx: RequestContext,
  url: string,
  headers: Headers,
  options: WebSocketOptions,
  timeoutMs: number,
  upgrader: UpstreamUpgrader | undefined,
): Promise<Reply> {
  if (!options.enabled || upgrader === undefined) {
    return Promise.reject(new GatewayError('ERR_WEBSOCKET_DISABLED', { headers: { connection: 'close' } }));
  }
  headers.set('upgrade', 'websocket');
  headers.set('connection', 'Upgrade');
  ctx.log.websocket = true;
  return upgrader(new UpgradeCall(ctx, url, headers, timeoutMs, options.idleTimeoutMs));
}

class UpgradeCall implements UpgradeRequest {
  readonly method = 'GET';
  readonly body = null;
  readonly client: RequestContext['client'];
  readonly onDisconnect: ((listener: () => void) => () => void) | undefined;
  readonly #ctx: RequestContext;

  constructor(
    ctx: RequestContext,
    readonly url: string,
    readonly headers: Headers,
    readonly timeoutMs: number,
    readonly idleTimeoutMs: number,
  ) {
    this.#ctx = ctx;
    this.client = ctx.client;
    this.onDisconnect = ctx.client.onDisconnect
      ? (listener) => ctx.client.onDisconnect?.(listener) ?? (() => undefined)
      : undefined;
  }

  get signal(): AbortSignal {
    return this.#ctx.signal;
  }
}
