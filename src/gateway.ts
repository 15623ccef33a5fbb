import { Answer, appendSetCookies, type Reply } from './answer.js';
import type { CompiledGateway, CompiledRoute } from './assembly/compile-gateway.js';
import type { RequestContext } from './context.js';
import { ERROR_CATALOGUE, type ErrorCode } from './errors/codes.js';
import { isGatewayError } from './errors/gateway-error.js';
import { errorAnswer, gatewayErrorAnswer } from './errors/render.js';
import { redactSearch } from './observability/logger.js';
import { pickRequestId } from './observability/request-id.js';
import { serverTimingHeader } from './observability/server-timing.js';
import { traceIdsFromHeader } from './observability/tracing/log-fields.js';
import type { Span } from './observability/tracing/tracing.js';
import { resolveClientAddress, type HeaderReader, type ResolvedClient } from './proxy/client-address.js';
import type { ClientInfo, Platform } from './platform.js';
import { canonicalizePath } from './router/canonical-path.js';
import { refusedMethod } from './pipeline/refused-methods.js';
import { pathParametersChangeRoute } from './router/path-parameters.js';
import { SwitchedAnswer, type RelayStats } from './switched-answer.js';
import { splitRequestUrl } from './url-parts.js';
import type { AccessLogLine } from './observability/access-log.js';
import { ANSWER_STATUS } from './errors/statuses.js';

/**
 * The request pipeline of docs/BEHAVIOUR.md: request id → canonical path → CORS preflight → route →
 * the route's compiled steps (auth, hooks, integration) → the one exit. There is exactly one
 * error boundary and one place that decorates responses, so no path can forget CORS, the
 * request id or the error vocabulary.
 *
 * `fetch` answers synchronously when nothing on the way is asynchronous (static routes, every
 * gateway-generated error): both runtimes accept a plain Response, and skipping a promise per
 * request is measurable on Node (docs/BENCHMARKS.md).
 */
export interface Gateway {
  fetch(request: Request, client: ClientInfo): Response | Promise<Response>;
  /**
   * The same as `fetch`, but an Answer stays an Answer (its decorations added to its record):
   * an adapter that writes plain records itself (Node's listener) builds no Response for it.
   */
  serve?(request: Request, client: ClientInfo): Reply | Promise<Reply>;
  /** Requests being answered right now (the in-flight gauge); absent on stand-ins that do not count. */
  readonly inFlight?: number;
  /**
   * An error the adapter found before a `Request` existed (Node's HTTP parser: malformed
   * framing 400, a slow client 408, oversized headers 431), answered by the same exit as every
   * other error: the catalogue's JSON body, `X-Request-Id`, `X-Powered-By` as configured, CORS
   * for an allowed origin, and one access-log line. `requestHeaders` holds what could be read
   * of the request (often nothing). `unlogged`: the request is already the gateway's (a body
   * found malformed mid-request), whose own line records this answer.
   */
  refuse(
    code: ErrorCode,
    requestHeaders: Headers,
    client: Pick<ClientInfo, 'address'>,
    options?: { readonly unlogged?: boolean },
  ): Answer;
}

/** The method label of a request the adapter refused before it could be parsed. */
const UNPARSED = '(none)';

/** One request's state for the exit (decoration and the access-log line). */
interface Exchange {
  readonly request: Request;
  /** The request's headers as the gateway reads them: the adapter's cheaper reader when it has one. */
  readonly headers: HeaderReader;
  readonly client: ClientInfo;
  readonly compiled: CompiledGateway;
  readonly requestId: string;
  readonly started: number;
  /** performance.now() at the entrance: sub-millisecond durations for metrics and Server-Timing. */
  readonly startedPrecise: number;
  readonly pathname: string;
  readonly search: string;
  readonly log: Record<string, unknown>;
  readonly clientAddress: ResolvedClient;
  routeLabel: string | undefined;
  route: CompiledRoute | undefined;
  /** The request's server span, when tracing is on (docs/OBSERVABILITY.md). */
  readonly span: Span | undefined;
}

/** `current()` is read once per request, so a reload swaps configs atomically between requests. */
export function createGateway(current: () => CompiledGateway, platform: Platform): Gateway {
  let inFlight = 0;
  const logger = platform.logger;
  // Decided once: with no tracing and no subscriber the exit skips all of it.
  const tracing = platform.telemetry?.tracing;
  const accessLog = platform.telemetry?.accessLog;
  const neverAborted = new AbortController().signal;

  /** Everything between the entrance and the exit; may throw or reject (the caller catches). */
  function dispatch(exchange: Exchange, host: string): Reply | Promise<Reply> {
    const { request, client, compiled, log } = exchange;
    const limits = compiled.limits;
    if (client.malformed !== undefined) {
      log.detail = { reason: client.malformed };
      // The framing is in doubt, so the connection is not reused for another request.
      return errorAnswer(client.malformedCode ?? 'ERR_BAD_REQUEST', { connection: 'close' });
    }
    if (inFlight > limits.maxConcurrentRequests) return errorAnswer('ERR_OVERLOADED', { 'retry-after': '1' });
    if (request.url.length > limits.maxUrlLength) return errorAnswer('ERR_URI_TOO_LONG');
    if (exceedsBodyLimit(exchange.headers, limits.maxBodyBytes)) {
      // The body is never read, so the connection cannot be reused for another request.
      return errorAnswer('ERR_PAYLOAD_TOO_LARGE', { connection: 'close' });
    }
    if (exchange.search.includes('#')) {
      log.detail = { reason: 'fragment (#) in request-target' };
      return errorAnswer('ERR_BAD_REQUEST');
    }
    const path = canonicalizePath(exchange.pathname);
    const method = request.method;
    const refused = refusedMethod(method, compiled.router, path);
    if (refused !== undefined) return refused;
    if (compiled.cors && method === 'OPTIONS' && !compiled.router.hasExplicitMethod('OPTIONS', path)) {
      return compiled.cors.preflight(request);
    }
    const match = compiled.router.match(method, path);
    if (pathParametersChangeRoute(compiled.router, method, path, match)) {
      log.detail = { reason: 'path parameters (;) change the route' };
      return errorAnswer('ERR_BAD_REQUEST');
    }
    if (match.kind === 'not-found') return errorAnswer('ERR_NO_ROUTE');
    if (match.kind === 'method-not-allowed') {
      return errorAnswer('ERR_METHOD_NOT_ALLOWED', { allow: match.allow.join(', ') });
    }
    const route = match.value;
    exchange.routeLabel = route.label;
    exchange.route = route;
    if (exchange.span) tracing?.nameRequest(exchange.span, method, route.path);
    const ctx = new RouteContext(
      exchange,
      host,
      method,
      path,
      match.params,
      match.wildcardRest,
      neverAborted,
    );
    return route.handler(ctx);
  }

  /** The one exit: every response, success or error, leaves through here exactly once. */
  function finish(exchange: Exchange, reply: Reply, asAnswer: boolean): Reply {
    inFlight--;
    if (reply.status === ANSWER_STATUS.switchingProtocols) return switched(exchange, reply);
    // An error answer nothing threw (the router's 404/405, a 414…) is logged with its code too.
    if (reply instanceof Answer && reply.code !== undefined) exchange.log.code ??= reply.code;
    const decorated =
      reply instanceof Answer ? decoratedReplyOf(reply, exchange, asAnswer) : decorate(reply, exchange);
    if (exchange.span) tracing?.endRequest(exchange.span, decorated.status, exchange.log.code as string);
    if (logger.level === 'silent' && !accessLog?.active) return decorated;
    // Measured now: the duration metric ends at the response headers, even for a streamed body.
    const durationSeconds = (performance.now() - exchange.startedPrecise) / 1000;
    const { client } = exchange;
    // A streamed body may still fail or be cut: its line waits for the last byte (or the cut),
    // where the adapter can tell (Node); a complete Answer is logged at once.
    if (!(reply instanceof Answer) && decorated.body !== null && client.onResponseEnd) {
      client.onResponseEnd((end) => {
        if (!end.completed) exchange.log.aborted = end.abortReason ?? true;
        exchange.log.bytes = end.bytes;
        logRequest(exchange, decorated.status, durationSeconds);
      });
    } else logRequest(exchange, decorated.status, durationSeconds);
    return decorated;
  }

  /** The access-log line: logged when logging, published when something subscribes (metrics). */
  function logRequest(exchange: Exchange, status: number, durationSeconds: number, relay?: RelayStats): void {
    const adapterCode = exchange.client.answeredByAdapter;
    if (adapterCode !== undefined) {
      status = ERROR_CATALOGUE[adapterCode].status;
      exchange.log.code = adapterCode;
    }
    // Filled by assignment, not spreads: spreading three objects into a literal is V8's slow
    // copy, on every request that is logged or counted (docs/ARCHITECTURE.md "Performance devices").
    const line: Record<string, unknown> = {
      requestId: exchange.requestId,
      method: exchange.request.method,
      path: exchange.pathname + redactSearch(exchange.search),
      route: exchange.routeLabel,
      status,
      durationMs: platform.now() - exchange.started,
      client: exchange.clientAddress.address,
    };
    addTraceFields(exchange, line);
    const { log } = exchange;
    for (const name in log) line[name] = log[name];
    if (relay !== undefined) Object.assign(line, relay);
    if (logger.level !== 'silent') logger.info('request', line);
    accessLog?.publish({ line: line as AccessLogLine, routePattern: exchange.route?.path, durationSeconds });
  }

  /**
   * A WebSocket upgrade went through (docs/PROTOCOLS.md). Node's relay already answered the
   * client's socket: its line is logged at close, with the relay's bytes, and the Response
   * returned is never written. A Workers 101 passes through undecorated (its headers are the
   * runtime's), logged at the handshake.
   */
  function switched(exchange: Exchange, reply: Reply): Response {
    // Logged even at `silent`: metrics subscribe to the same line.
    const secondsSinceStart = (): number => (performance.now() - exchange.startedPrecise) / 1000;
    if (reply instanceof SwitchedAnswer) {
      reply.relay.onClose((stats) =>
        logRequest(exchange, ANSWER_STATUS.switchingProtocols, secondsSinceStart(), stats),
      );
      return new Response(null, { status: ANSWER_STATUS.relayedUpgrade });
    }
    logRequest(exchange, ANSWER_STATUS.switchingProtocols, secondsSinceStart());
    return reply instanceof Answer ? new Response(null, { status: ANSWER_STATUS.relayedUpgrade }) : reply;
  }

  function errorResponse(error: unknown, exchange: Exchange): Reply {
    const { log, client } = exchange;
    if (client.answeredByAdapter !== undefined) {
      // The adapter already answered (a malformed body found mid-request): log what it sent.
      log.code = client.answeredByAdapter;
      return errorAnswer(client.answeredByAdapter);
    }
    if (isGatewayError(error)) {
      log.code = error.code;
      if (error.detail) log.detail = error.detail;
      return gatewayErrorAnswer(error);
    }
    if (client.disconnected ?? client.signal?.aborted) {
      // The client went away and the upstream call was aborted with it: nobody reads this answer,
      // and it is not a gateway fault, so it is logged as such rather than as a 500.
      log.code = 'CLIENT_CLOSED_REQUEST';
      return errorAnswer('CLIENT_CLOSED_REQUEST');
    }
    // A bug in one request is a 500 for that request only (docs/SECURITY.md "Faults and load").
    log.code = 'ERR_INTERNAL';
    log.detail = { message: error instanceof Error ? error.message : String(error) };
    logger.error('unexpected failure', { stack: error instanceof Error ? error.stack : undefined });
    return errorAnswer('ERR_INTERNAL');
  }

  function refuse(
    code: ErrorCode,
    requestHeaders: Headers,
    client: Pick<ClientInfo, 'address'>,
    options: { readonly unlogged?: boolean } = {},
  ): Answer {
    const compiled = current();
    const requestId = pickRequestId(requestHeaders.get('x-request-id'));
    const answer = errorAnswer(code);
    const headers = decoratedRecord(answer, compiled, requestId, requestHeaders.get('origin'));
    if (logger.level !== 'silent' && options.unlogged !== true) {
      logger.info('request', { requestId, status: answer.status, client: client.address, code });
    }
    // Counted like every other answer; no method or path could be read (docs/OBSERVABILITY.md).
    accessLog?.publish({
      line: {
        requestId,
        method: UNPARSED,
        path: '',
        route: undefined,
        status: answer.status,
        durationMs: 0,
        client: client.address,
        code,
      },
      routePattern: undefined,
      durationSeconds: 0,
    });
    return new Answer(answer.status, headers, answer.body);
  }

  return {
    refuse,
    fetch: (request, client) => run(request, client, false) as Response | Promise<Response>,
    serve: (request, client) => run(request, client, true),
    get inFlight() {
      return inFlight;
    },
  };

  /** `asAnswer`: an Answer leaves as a decorated Answer (serve) rather than a Response (fetch). */
  function run(request: Request, client: ClientInfo, asAnswer: boolean): Reply | Promise<Reply> {
    const { host, pathname, search } = splitRequestUrl(request.url);
    const compiled = current();
    // Node reads its already-parsed header record: a static route never builds a Headers object.
    const headers = client.requestHeaders ?? request.headers;
    const requestId = pickRequestId(headers.get('x-request-id'));
    const exchange: Exchange = {
      request,
      headers,
      client,
      compiled,
      requestId,
      started: platform.now(),
      startedPrecise: performance.now(),
      pathname,
      search,
      log: {},
      clientAddress: resolveClientAddress(client.address, headers, compiled.trustedProxies),
      routeLabel: undefined,
      route: undefined,
      span: tracing?.startRequest(request.method, pathname, headers, requestId),
    };
    client.attachRequestId?.(exchange.requestId);
    inFlight++;
    let result: Reply | Promise<Reply>;
    try {
      result = dispatch(exchange, host);
    } catch (error) {
      return finish(exchange, errorResponse(error, exchange), asAnswer);
    }
    if (result instanceof Promise) {
      return result.then(
        (response) => finish(exchange, response, asAnswer),
        (error: unknown) => finish(exchange, errorResponse(error, exchange), asAnswer),
      );
    }
    return finish(exchange, result, asAnswer);
  }
}

/** The trace and span ids for the access-log line: the request's span, else the client's traceparent. */
function addTraceFields(exchange: Exchange, line: Record<string, unknown>): void {
  const ids = exchange.span
    ? exchange.span.spanContext()
    : traceIdsFromHeader(exchange.headers.get('traceparent'));
  if (ids === undefined) return;
  line.traceId = ids.traceId;
  line.spanId = ids.spanId;
}

/**
 * The context of a routed request. A class, not an object literal: the `signal` getter lives on
 * the prototype, so every request shares one hidden class (a getter in a literal gives each
 * request its own, which showed up as garbage-collection time under load).
 */
class RouteContext implements RequestContext {
  readonly request: Request;
  readonly requestId: string;
  readonly search: string;
  readonly client: ClientInfo;
  readonly clientAddress: ResolvedClient;
  readonly log: Record<string, unknown>;
  readonly trace: Span | undefined;
  readonly adapterRequest: Request;
  claims: RequestContext['claims'] = undefined;
  // Declared so every request keeps one hidden class whether or not a route sets them.
  consumer: RequestContext['consumer'] = undefined;
  rateLimits: RequestContext['rateLimits'] = undefined;

  constructor(
    exchange: Exchange,
    readonly host: string,
    readonly method: string,
    readonly path: string,
    public params: Readonly<Record<string, string>>,
    public wildcardRest: string | undefined,
    private readonly neverAborted: AbortSignal,
  ) {
    this.request = exchange.request;
    this.adapterRequest = exchange.request;
    this.requestId = exchange.requestId;
    this.search = exchange.search;
    this.client = exchange.client;
    this.clientAddress = exchange.clientAddress;
    this.log = exchange.log;
    this.trace = exchange.span;
  }

  /** The adapter creates its abort signal only for steps that ask (the proxy). */
  get signal(): AbortSignal {
    return this.client.signal ?? this.neverAborted;
  }
}

/** An Answer's headers plus the decorations, as a plain record: no Headers object on the way. */
function decoratedReplyOf(answer: Answer, exchange: Exchange, asAnswer: boolean): Reply {
  // Origin is read only where CORS is configured: each header read is a call into the runtime.
  const origin = exchange.compiled.cors ? exchange.headers.get('origin') : null;
  const headers = decoratedRecord(answer, exchange.compiled, exchange.requestId, origin);
  if (exchange.compiled.serverTiming) headers['server-timing'] = timing(exchange);
  if (asAnswer) return new Answer(answer.status, headers, answer.body, answer.code, answer.setCookies);
  const response = new Response(answer.body, { status: answer.status, headers });
  if (answer.setCookies) appendSetCookies(response, answer.setCookies);
  return response;
}

function decoratedRecord(
  answer: Answer,
  compiled: CompiledGateway,
  requestId: string,
  origin: string | null,
): Record<string, string> {
  // A for-in copy, not `{ ...answer.headers, … }`: V8 makes a spread copy that then gains
  // properties ~40× slower (measured: 1.1 µs against 30 ns for three headers), and `delete`
  // would turn the record into a dictionary.
  const headers: Record<string, string> = {};
  const source = answer.headers;
  for (const name in source) if (name !== 'x-powered-by') headers[name] = source[name] as string;
  headers['x-request-id'] = requestId;
  if (compiled.poweredBy) headers['x-powered-by'] = 'Gatehouse';
  compiled.cors?.applyToRecord(origin, headers);
  return headers;
}

/** CORS, X-Request-Id and X-Powered-By on every response that leaves the gateway. */
function decorate(response: Response, exchange: Exchange): Response {
  const { compiled, requestId } = exchange;
  let headers = response.headers;
  try {
    headers.set('x-request-id', requestId);
  } catch {
    // Responses from fetch() have immutable headers; copy once so they can be decorated.
    response = new Response(response.body, response);
    headers = response.headers;
    headers.set('x-request-id', requestId);
  }
  if (compiled.poweredBy) headers.set('x-powered-by', 'Gatehouse');
  else headers.delete('x-powered-by');
  if (compiled.cors) compiled.cors.apply(exchange.headers.get('origin'), headers);
  if (compiled.serverTiming) headers.set('server-timing', timing(exchange));
  return response;
}

function timing(exchange: Exchange): string {
  return serverTimingHeader(exchange.log, performance.now() - exchange.startedPrecise);
}

function exceedsBodyLimit(headers: HeaderReader, maxBodyBytes: number): boolean {
  const length = headers.get('content-length');
  return length !== null && Number(length) > maxBodyBytes;
}
