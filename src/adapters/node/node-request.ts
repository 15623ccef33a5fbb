import type { IncomingMessage } from 'node:http';
import { Http2ServerRequest } from 'node:http2';
import { Readable } from 'node:stream';
import { STANDARD_REQUEST } from '../../standard-request.js';

/**
 * The Web `Request` the Node listener hands the gateway: `method` and `url` read from node:http's
 * IncomingMessage, and a real `Request` (Web Headers, body stream, signal) built only when a
 * step touches anything else. A static route or a GET proxied through the adapter's header
 * reader never builds one: undici's Request and Headers cost several µs per request
 * (docs/BENCHMARKS.md "The Node request path").
 *
 * It inherits `Request.prototype` so `instanceof Request` holds; code outside the gateway
 * (services, hooks) gets the real Request (`standardRequest` in src/standard-request.ts).
 */
export class NodeRequest {
  readonly method: string;
  readonly url: string;
  readonly #incoming: IncomingMessage | Http2ServerRequest;
  #real: Request | undefined;

  constructor(incoming: IncomingMessage | Http2ServerRequest, url: string) {
    this.#incoming = incoming;
    this.method = incoming.method ?? 'GET';
    this.url = url;
  }

  /** The real Request, built once (the body streams from the IncomingMessage when read). */
  [STANDARD_REQUEST](): Request {
    if (this.#real) return this.#real;
    const incoming = this.#incoming;
    const headers = new Headers();
    const raw = incoming.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string;
      // HTTP/2 pseudo-headers (`:path`, …) are not fields.
      if (name.charCodeAt(0) !== 58) headers.append(name, raw[i + 1] as string);
    }
    const method = this.method;
    // undici refuses TRACE in a Request; the gateway refuses it before any step reads more.
    const init: RequestInit & { duplex?: 'half' } = { method: method === 'TRACE' ? 'GET' : method, headers };
    if (method !== 'GET' && method !== 'HEAD' && method !== 'TRACE' && !provablyBodiless(incoming)) {
      init.body = lazyBody(incoming);
      init.duplex = 'half';
    }
    this.#real = new Request(this.url, init);
    return this.#real;
  }

  get headers(): Headers {
    return this[STANDARD_REQUEST]().headers;
  }
  get body(): ReadableStream<Uint8Array> | null {
    return this[STANDARD_REQUEST]().body;
  }
  get bodyUsed(): boolean {
    return this.#real?.bodyUsed ?? false;
  }
  get signal(): AbortSignal {
    return this[STANDARD_REQUEST]().signal;
  }
  get redirect(): RequestRedirect {
    return 'follow';
  }
  get cache(): RequestCache {
    return this[STANDARD_REQUEST]().cache;
  }
  get credentials(): RequestCredentials {
    return this[STANDARD_REQUEST]().credentials;
  }
  get mode(): RequestMode {
    return this[STANDARD_REQUEST]().mode;
  }
  get keepalive(): boolean {
    return false;
  }
  get referrer(): string {
    return this[STANDARD_REQUEST]().referrer;
  }
  get integrity(): string {
    return this[STANDARD_REQUEST]().integrity;
  }
  get destination(): RequestDestination {
    return this[STANDARD_REQUEST]().destination;
  }
  get referrerPolicy(): ReferrerPolicy {
    return this[STANDARD_REQUEST]().referrerPolicy;
  }
  clone(): Request {
    return this[STANDARD_REQUEST]().clone();
  }
  text(): Promise<string> {
    return this[STANDARD_REQUEST]().text();
  }
  json(): Promise<unknown> {
    return this[STANDARD_REQUEST]().json();
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this[STANDARD_REQUEST]().arrayBuffer();
  }
  blob(): Promise<Blob> {
    return this[STANDARD_REQUEST]().blob();
  }
  formData(): Promise<FormData> {
    return this[STANDARD_REQUEST]().formData();
  }
  bytes(): Promise<Uint8Array> {
    return this[STANDARD_REQUEST]()
      .arrayBuffer()
      .then((buffer) => new Uint8Array(buffer));
  }
}
Object.setPrototypeOf(NodeRequest.prototype, Request.prototype);

/**
 * A request that has no body, whatever its method: on HTTP/1.x one with neither Content-Length
 * nor Transfer-Encoding (RFC 9112 §6.3: its body length is zero), on HTTP/2 a stream that ended
 * with its headers. Its `body` is null, so the proxy sends none and may retry it on another URL
 * (docs/PROTOCOLS.md "Retries").
 */
function provablyBodiless(incoming: IncomingMessage | Http2ServerRequest): boolean {
  if (incoming instanceof Http2ServerRequest) return incoming.stream.endAfterHeaders;
  const { headers } = incoming;
  return headers['content-length'] === undefined && headers['transfer-encoding'] === undefined;
}

/**
 * The body as a Web stream created on the first read, not before: `Expect: 100-continue`'s
 * interim answer goes out when something reads the body (expect-continue.ts), and a body nobody
 * reads is left to node:http to discard.
 */
function lazyBody(incoming: IncomingMessage | Http2ServerRequest): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        reader ??= (Readable.toWeb(incoming as Readable) as ReadableStream<Uint8Array>).getReader();
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    cancel(reason) {
      if (reader) return reader.cancel(reason);
      incoming.resume();
      return undefined;
    },
  });
}

/** Thrown when the request target or authority cannot make a URL (answered 400). */
export class RequestTargetError extends Error {}

const PLAIN_HOST = /^[a-z0-9._-]+(?::\d{1,5})?$/;
const PLAIN_PATH = /^\/[!#$&-;=?-[\]_a-z~]*$/;
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/;

/**
 * The request's absolute URL. The common case (a lower-case host, a path of plain characters)
 * is concatenated; anything else goes through the URL parser, which normalises it as a Request
 * would, and refuses what it cannot parse, a backslash before the query, or an authority the
 * parser would read differently from the Host header.
 */
export function requestUrl(
  incoming: IncomingMessage | Http2ServerRequest,
  fallbackHost: () => string,
): string {
  const target = incoming.url ?? '';
  const http2 = incoming instanceof Http2ServerRequest;
  if (target.startsWith('http://') || target.startsWith('https://')) {
    if (http2) throw new RequestTargetError('absolute URL in :path');
    refuseBackslash(target);
    return parse(target).href;
  }
  // node:http's handler fills a missing Host (HTTP/1.0) before; an empty one is refused.
  const host = (http2 ? incoming.authority : incoming.headers.host) ?? fallbackHost();
  if (host === '') throw new RequestTargetError('empty Host header');
  const scheme = http2
    ? incoming.scheme
    : (incoming.socket as { encrypted?: boolean }).encrypted
      ? 'https'
      : 'http';
  if (scheme !== 'http' && scheme !== 'https') throw new RequestTargetError('unsupported scheme');
  if (target.charCodeAt(0) !== 47) throw new RequestTargetError('request target is not a path');
  const url = `${scheme}://${host}${target}`;
  if (PLAIN_HOST.test(host) && PLAIN_PATH.test(target) && !DOT_SEGMENT.test(target)) return url;
  refuseBackslash(target);
  const parsed = parse(url);
  const bareHost = host.includes(':') && !host.endsWith(']') ? host.replace(/:\d+$/, '') : host;
  if (parsed.host !== host.toLowerCase() && parsed.hostname !== bareHost.toLowerCase())
    throw new RequestTargetError('invalid Host header');
  return parsed.href;
}

function refuseBackslash(target: string): void {
  const backslash = target.indexOf('\\');
  if (backslash === -1) return;
  const query = target.indexOf('?');
  if (query === -1 || backslash < query) throw new RequestTargetError('backslash in request path');
}

function parse(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new RequestTargetError('invalid URL');
  }
}
