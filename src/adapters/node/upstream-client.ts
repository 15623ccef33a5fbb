import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import type { UpstreamClient, UpstreamRequest } from '../../platform.js';
import type { Reply } from '../../answer.js';
import { splitOrigin } from '../../url-parts.js';
import { UpstreamExchange } from './upstream-exchange.js';

/**
 * The Node upstream client: undici's pooled `Agent` (keep-alive connections per origin), driven
 * through `dispatch` with one handler per exchange (upstream-exchange.ts), about 3× the
 * throughput of global `fetch` on Node (docs/BENCHMARKS.md). It never follows redirects (an
 * Agent without the redirect interceptor does not), so 3xx reach the client.
 */

export interface UndiciUpstreamClientOptions {
  /** Maximum connections per upstream origin (default: unbounded, as undici's). */
  readonly connections?: number;
}

export type UndiciUpstreamClient = UpstreamClient & { close(): Promise<void> };

/**
 * Request headers undici throws on (it owns the connection's framing). The proxy never passes
 * them (proxy/headers.ts); skipping them keeps any other caller from turning into a 502.
 */
const UNSENDABLE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect']);

/** undici's own default; a request that names no limit uses it (docs/CONFIG.md). */
const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;

export function createUndiciUpstreamClient(options: UndiciUpstreamClientOptions = {}): UndiciUpstreamClient {
  // One pool per response-head limit (gateway.max_upstream_header_bytes) and HTTP/2 choice:
  // undici fixes both per agent, and a reload may change the limit. Nearly always there is one.
  // Servers with `http2: true` (docs/PROTOCOLS.md "Upstream HTTP/2"): ALPN offers h2, then http/1.1.
  const agents = new Map<string, Agent>();
  // The agent of the previous call: nearly every call uses the same one, found without a key.
  let last: { maxHeaderSize: number; allowH2: boolean; agent: Agent } | undefined;
  const agentFor = (maxHeaderSize: number, allowH2: boolean): Agent => {
    if (last !== undefined && last.maxHeaderSize === maxHeaderSize && last.allowH2 === allowH2)
      return last.agent;
    const key = `${maxHeaderSize}/${allowH2 ? 'h2' : 'h1'}`;
    let agent = agents.get(key);
    if (agent === undefined) {
      agent = new Agent({
        maxHeaderSize,
        ...(allowH2 ? { allowH2: true } : {}),
        ...(options.connections === undefined ? {} : { connections: options.connections }),
      });
      agents.set(key, agent);
    }
    last = { maxHeaderSize, allowH2, agent };
    return agent;
  };
  const client: UpstreamClient = (request) =>
    send(agentFor(request.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES, request.http2 === true), request);
  return Object.assign(client, {
    close: async () => {
      last = undefined;
      await Promise.all([...agents.values()].map((agent) => agent.close()));
    },
  });
}

function send(agent: Agent, request: UpstreamRequest): Promise<Reply> {
  const { origin, path } = splitOrigin(request.url);
  return new Promise<Reply>((resolve, reject) => {
    const exchange = new UpstreamExchange(request, origin, resolve, reject);
    // The client already left (or the exchange was otherwise settled): nothing goes upstream.
    if (exchange.settled) return;
    agent.dispatch(
      {
        origin,
        path,
        method: request.method as Dispatcher.HttpMethod,
        // undici only reads the list.
        headers: (request.headerList as string[] | undefined) ?? toUndiciHeaders(request.headers),
        // undici streams any async iterable (lib/core/request.js); its types only list Readable.
        body: request.body as Readable | null,
        // Longest silence between body chunks (idle_timeout_ms); undici's default is 300 s.
        ...(request.idleTimeoutMs === undefined ? {} : { bodyTimeout: request.idleTimeoutMs }),
      },
      exchange,
    );
  });
}

/** Flat `[name, value, …]`, the form undici reads without allocating a pair per header. */
function toUndiciHeaders(headers: Headers): string[] {
  const flat: string[] = [];
  for (const [name, value] of headers) {
    if (!UNSENDABLE.has(name)) flat.push(name, value);
  }
  return flat;
}
