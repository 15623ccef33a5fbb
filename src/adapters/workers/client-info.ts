import type { ClientInfo } from '../../platform.js';
import type { HeaderReader } from '../../proxy/client-address.js';

/**
 * Connection facts for one request on Workers. The runtime hides the socket, so the client
 * address is the `CF-Connecting-IP` header, which Cloudflare's edge sets on every request (and
 * overwrites when a client sends its own). Under `wrangler dev`/Miniflare the local entry sets it
 * from the socket only when the client did not send one (docs/WORKERS.md).
 */
export function clientInfoFor(request: Request): ClientInfo {
  return new WorkersClientInfo(request);
}

/**
 * A class with the signal as a prototype getter (one hidden class for every request, as
 * gateway.ts RouteContext): the first read of an incoming request's `signal` costs workerd a
 * tenth of a proxied request's CPU, and only a request with a body needs it
 * (adapters/workers/upstream-client.ts; docs/ARCHITECTURE.md "Performance devices").
 *
 * It is also the request's header reader (`requestHeaders`): each `Headers.get` is a call into
 * the runtime, so a value read once is not read again (`Authorization`: the duplicate check here,
 * then the bearer token), and once the proxy has read every header in one pass
 * (`rawRequestHeaders`) the later reads (`Upgrade`, `Connection`, `Content-Length`, a trusted
 * proxy's `X-Forwarded-*`) are served from that list.
 */
class WorkersClientInfo implements ClientInfo, HeaderReader {
  readonly address: string;
  readonly malformed: string | undefined;
  readonly requestHeaders: HeaderReader = this;
  readonly #request: Request;
  readonly #headers: Headers;
  readonly #authorization: string | null;
  #flat: string[] | undefined;

  constructor(request: Request) {
    this.#request = request;
    const headers = request.headers;
    this.#headers = headers;
    const authorization = headers.get('authorization');
    this.#authorization = authorization;
    this.malformed = joinedAuthorization(authorization);
    this.address = headers.get('cf-connecting-ip') ?? '';
  }

  /** `Headers.get`'s answer: repeated headers joined by `, `, null when absent. */
  get(name: string): string | null {
    const lower = name.toLowerCase();
    if (lower === 'authorization') return this.#authorization;
    const flat = this.#flat;
    if (flat === undefined) return this.#headers.get(lower);
    for (let i = 0; i < flat.length; i += 2) if (flat[i] === lower) return flat[i + 1]!;
    return null;
  }

  /**
   * From the URL the runtime built from the connection (a client's X-Forwarded-Proto is not
   * trusted); read only by the proxy's forwarding headers, so a static route never asks for it.
   */
  get protocol(): string {
    return this.#request.url.startsWith('https:') ? 'https' : 'http';
  }

  get signal(): AbortSignal {
    return this.#request.signal;
  }

  /**
   * The request's headers as flat `[name, value, …]` pairs, read on the proxied path only: one
   * pass over the runtime's Headers, so the upstream headers are a plain list the upstream
   * client hands to `fetch` as one record, instead of a new Headers object filled by a call into
   * the runtime per header (adapters/workers/upstream-client.ts; docs/ARCHITECTURE.md
   * "Performance devices"). Names come lower-case, each name once (the runtime joins repeats
   * by `, `). Read once; `get` answers from it afterwards.
   */
  get rawRequestHeaders(): readonly string[] {
    if (this.#flat !== undefined) return this.#flat;
    const flat: string[] = [];
    for (const [name, value] of this.#headers) flat.push(name, value);
    this.#flat = flat;
    return flat;
  }
}

/**
 * Workers join repeated headers with ", " before the Worker sees them, so two Authorization
 * headers arrive as one value. One credentials value (RFC 9110 §11.4) only has commas between
 * auth-params (`name=value`), and token68 (Bearer, Basic) has none; a comma followed by
 * `scheme SP something-that-is-not-"="` (outside quoted strings) is therefore a second header.
 * The Node adapter sees the raw header lines and answers the same 400 (client-info.ts there).
 */
const SECOND_CREDENTIALS = /,[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]+[^=\s]/;
const QUOTED_STRING = /"(?:[^"\\]|\\.)*"/g;

function joinedAuthorization(value: string | null): string | undefined {
  if (value === null || !value.includes(',')) return undefined;
  return SECOND_CREDENTIALS.test(value.replace(QUOTED_STRING, '""'))
    ? 'duplicate Authorization header'
    : undefined;
}
