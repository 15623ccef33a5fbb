import type { Reply } from './answer.js';
import type { HeaderReader } from './proxy/client-address.js';
import type { ErrorCode } from './errors/codes.js';
import type { Logger } from './observability/logger.js';
import type { Telemetry } from './observability/telemetry.js';
import type { Span } from './observability/tracing/tracing.js';
import type { SessionStore } from './session/server-store.js';
import type { RateLimitStoreFactory } from './traffic/stores.js';
import type { ResponseStore } from './proxy/cache/memory-store.js';

/**
 * Everything the runtime-independent core needs from its host, behind one small interface
 * (docs/ARCHITECTURE.md "The platform behind one small interface"). Only src/adapters/* implement it.
 */
export interface UpstreamRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  /**
   * The same headers as flat `[name, value, …]` pairs (lower-case names, hop-by-hop ones left
   * out), present while nothing has read `headers`: a client that sends pairs (Node's undici)
   * reads this first, and the Headers object is then never built.
   */
  readonly headerList?: readonly string[] | undefined;
  /**
   * Sets a header on the call, as `headers.set` would, without retiring `headerList` (the pair
   * list gets the line): what a step or tracing adds to the upstream request costs no Headers.
   */
  setHeader?(name: string, value: string): void;
  readonly body: ReadableStream<Uint8Array> | null;
  /** Aborted when the client goes away; the upstream call must stop then. */
  readonly signal: AbortSignal;
  /**
   * The same event without an AbortSignal, when the adapter offers it (ClientInfo.onDisconnect):
   * the Node client subscribes here and never touches `signal`, which then is never created.
   */
  readonly onDisconnect?: ((listener: () => void) => () => void) | undefined;
  /** No response headers within this time → GatewayError ERR_UPSTREAM_TIMEOUT. */
  readonly timeoutMs: number;
  /** The request's span when tracing is on: the upstream call's span becomes its child. */
  readonly trace?: Span | undefined;
  /** The server's `http2` option: offer HTTP/2 by ALPN (Node; Workers' fetch decides itself). */
  readonly http2?: boolean;
  /** Longest silence while the response body streams; past it the response is aborted. */
  readonly idleTimeoutMs?: number;
  /** Largest upstream response head accepted (ERR_UPSTREAM_HEADERS_TOO_LARGE past it). */
  readonly maxHeaderBytes?: number;
  /**
   * (Node) Aborts the client's response at once, quietly: used when the upstream dies
   * mid-body, so the client sees an aborted response and nothing is printed.
   */
  readonly abortResponse?: ((reason: string) => void) | undefined;
  /**
   * (Node) Present when the client's response can carry trailer fields (HTTP/1.1 chunked or
   * HTTP/2): the upstream client hands it the upstream's trailers when its body ends
   * (docs/PROTOCOLS.md "Trailers").
   */
  readonly sendTrailers?: ((trailers: Readonly<Record<string, string>>) => void) | undefined;
}

/**
 * Sends one request upstream without following redirects. Connection failures reject with
 * GatewayError('ERR_UPSTREAM_UNAVAILABLE'), timeouts with GatewayError('ERR_UPSTREAM_TIMEOUT').
 * Node uses undici's pooled client (3× faster than global fetch there); Workers use fetch.
 * A client may answer with an Answer (plain headers, complete body) instead of a Response when
 * the upstream's answer arrived whole: the gateway's exit then builds no Headers object at all.
 * Either way its headers are already free of hop-by-hop headers.
 */
export type UpstreamClient = (request: UpstreamRequest) => Promise<Reply>;

/**
 * A WebSocket handshake to relay upstream (docs/PROTOCOLS.md): the upstream request as built by
 * the proxy (with `Upgrade: websocket`), the client connection it came on, and how long the
 * relay may stay silent before both sides are closed.
 */
export interface UpgradeRequest extends UpstreamRequest {
  readonly client: ClientInfo;
  readonly idleTimeoutMs: number;
}

/**
 * Relays a WebSocket handshake. Resolves with the client's answer: a 101 (Workers: the
 * runtime's pass-through Response; Node: a SwitchedAnswer whose relay is already running),
 * or rejects with ERR_UPSTREAM_UNAVAILABLE / ERR_UPSTREAM_TIMEOUT / ERR_UPSTREAM_UPGRADE_REFUSED.
 */
export type UpstreamUpgrader = (request: UpgradeRequest) => Promise<Reply>;

export interface Platform {
  readonly upstream: UpstreamClient;
  /** WebSocket relay; a platform without it answers upgrades with ERR_WEBSOCKET_DISABLED. */
  readonly upgrade?: UpstreamUpgrader;
  /** Plain fetch for control-plane calls (key sets, identity providers). Redirects are the caller's choice. */
  readonly fetch: typeof fetch;
  /** Values for `$env.NAME` / `$secret.NAME` (Node: process.env; Workers: vars and secrets). */
  readonly env: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  /** Milliseconds since the epoch; injectable so tests can fix the clock. */
  now(): number;
  /** Keeps background work (logging, key refresh) alive after the response on Workers. */
  waitUntil(promise: Promise<unknown>): void;
  /** Service-binding targets by binding name (Workers: env[binding]; Node: local modules). */
  readonly bindings: Readonly<Record<string, unknown>>;
  /** Metrics, access-log subscribers and tracing (docs/OBSERVABILITY.md); absent: all off. */
  readonly telemetry?: Telemetry | undefined;
  /**
   * (Node) A session store on the Redis server at `url` (`session.store.type: "redis"`), one
   * connection per URL; absent on runtimes without raw sockets.
   */
  readonly redisStore?: (url: string) => SessionStore;
  /**
   * The rate-limit stores this runtime offers (docs/TRAFFIC.md "Stores"); without it only the
   * in-process `memory` store exists.
   */
  readonly rateLimitStores?: RateLimitStoreFactory;
  /**
   * SHA-256 of a text's UTF-8 bytes as lower-case hex, synchronous, where the runtime has a
   * native one (Node); otherwise the portable implementation is used (src/consumers/hash.ts).
   * Hashes API keys.
   */
  readonly sha256Hex?: (text: string) => string;
  /**
   * This gateway's own origin (`http://127.0.0.1:9000`), for server URLs written as a path
   * (`"url": "/upstream"`, docs/CONFIG.md "Top level"): Node's listening address once it listens;
   * the Worker's origin as its first request saw it. Undefined while unknown (validate, routes).
   */
  readonly selfOrigin?: () => string | undefined;
  /**
   * The response cache's store for a bound of `maxBytes` (docs/PROTOCOLS.md "Response caching");
   * absent: the memory store. Workers: memory in front of the Cache API.
   */
  readonly responseStore?: (maxBytes: number) => ResponseStore;
  /**
   * True where no timer outlives a request (Workers): pools' `health_check` probes are started
   * by the requests through them, at most once per `interval_ms` (docs/WORKERS.md "Health
   * checks"). Absent: the adapter runs them on timers (Node).
   */
  readonly requestDrivenHealthChecks?: boolean;
}

/** What the adapter knows about the connection a request arrived on. */
export interface ClientInfo {
  readonly address: string;
  /** `http` or `https`, as seen by the gateway (client-sent X-Forwarded-Proto is not trusted). */
  readonly protocol: string;
  /** The gateway's own port the client connected to, when the runtime knows it (Node). */
  readonly localPort?: number | undefined;
  /** Aborted when the client disconnects. */
  readonly signal?: AbortSignal;
  /**
   * (Node) Calls `listener` once when the client disconnects before its response is complete
   * (at once if it already has); returns the unsubscribe function. A plain listener on the
   * connection: an AbortController per proxied request cost several percent of its CPU.
   */
  onDisconnect?(listener: () => void): () => void;
  /** True once the client went away before its response was complete. */
  readonly disconnected?: boolean;
  /**
   * Set when the adapter saw a framing problem the Web Request hides (for example two `Host`
   * or two `Authorization` headers, which Headers would join): the gateway answers 400.
   */
  readonly malformed?: string | undefined;
  /** The catalogue row for `malformed` (default ERR_BAD_REQUEST). */
  readonly malformedCode?: ErrorCode | undefined;
  /**
   * (Node) Set when the adapter had to answer the request itself after the gateway took it
   * (the request body turned out malformed mid-way): the row it answered with. The gateway's own
   * answer is then discarded and the access log records this row.
   */
  readonly answeredByAdapter?: ErrorCode | undefined;
  /** (Node) The gateway's request id, for answers the adapter writes itself. */
  attachRequestId?(requestId: string): void;
  /**
   * (Node) Calls `listener` once the response ended or was cut: the body bytes written, whether
   * it completed, and why not. The access-log line of a streamed response waits for it.
   */
  onResponseEnd?(listener: (end: ResponseEnd) => void): void;
  /** (Node) See UpstreamRequest.abortResponse. */
  abortResponse?(reason: string): void;
  /**
   * (Node) The request's headers read straight from the HTTP parser's record: the same values
   * as `request.headers.get` (repeats joined by `, `), without building a Headers object.
   */
  readonly requestHeaders?: HeaderReader;
  /**
   * (Node) The same headers as the parser's lines, `[name, value, …]` in the client's case and
   * order: the proxy builds its upstream header list from them without a Headers object.
   */
  readonly rawRequestHeaders?: readonly string[];
  /** (Node) True when the response can carry trailer fields (HTTP/1.1 or HTTP/2 client). */
  readonly acceptsTrailers?: boolean;
  /** (Node) See UpstreamRequest.sendTrailers; only called when `acceptsTrailers`. */
  sendTrailers?(trailers: Readonly<Record<string, string>>): void;
}

export interface ResponseEnd {
  readonly completed: boolean;
  readonly bytes: number;
  /** Why it did not complete: `client closed`, `upstream closed mid-body`, … */
  readonly abortReason?: string | undefined;
}
