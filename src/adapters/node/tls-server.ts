import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from 'node:http2';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { SniffedSocket } from './sniffed-socket.js';
import { createSecureContext, createServer as createTlsServer, type TLSSocket } from 'node:tls';

/**
 * HTTPS and HTTP/2 in front of the HTTP/1.1 server (docs/PROTOCOLS.md "TLS and HTTP/2"). One
 * listening socket accepts every connection and hands it to the server of its protocol:
 *
 * - with `--tls-cert`/`--tls-key`: TLS, and ALPN picks `h2` or `http/1.1`;
 * - with `--h2c`: cleartext, and a connection that opens with the HTTP/2 preface (prior
 *   knowledge, RFC 9113 §3.3) goes to HTTP/2, any other to HTTP/1.1.
 *
 * The HTTP/1.1 server is the same one a plain listener uses (its timeouts, upgrade path and
 * parser-error answers are untouched), and both servers share the one request listener, so the
 * gateway core sees the same Web Request whichever protocol carried it.
 */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface FrontOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsFiles | undefined;
  readonly h2c?: boolean | undefined;
}

export interface Front {
  readonly url: string;
  /** Re-reads the PEM files; new connections use them, open ones keep theirs. */
  reloadTls(): Promise<void>;
  /**
   * Stops accepting; idle HTTP/1.1 connections close, HTTP/2 sessions finish their streams
   * (GOAWAY); after `drainMs` every connection left is ended.
   */
  close(drainMs: number, forceHttp1: () => void): Promise<void>;
}

type Http2Listener = (request: Http2ServerRequest, response: Http2ServerResponse) => void;

export function wantsFront(options: FrontOptions): boolean {
  return options.tls !== undefined || options.h2c === true;
}

/**
 * node:http2 wraps a JS stream (an h2c SniffedSocket) in its own socket, whose peer address it
 * asks of a native handle there is not: `remoteAddress` would be undefined, so the client address,
 * `X-Forwarded-For` and per-address rate limits would be lost on h2c. net.Socket answers from a
 * `_peername` when its handle cannot, and the session's socket proxy sets properties on that
 * wrapper; the wrapper keeps the stream it wraps as `stream`. Once per connection.
 */
function givePeerAddress(session: Http2Session): void {
  const socket = session.socket as unknown as { stream?: unknown; _peername?: object };
  const sniffed = socket.stream;
  if (!(sniffed instanceof SniffedSocket) || sniffed.remoteAddress === undefined) return;
  socket._peername = {
    address: sniffed.remoteAddress,
    family: sniffed.remoteFamily,
    port: sniffed.remotePort,
  };
}

/** The HTTP/2 preface every prior-knowledge connection opens with (RFC 9113 §3.4). */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * `onHttp2Connect`: a CONNECT stream (RFC 9113 §8.5). node:http2 never hands one to the request
 * listener, and without a `connect` listener it answers a bare 405 itself.
 */
export async function listenFront(
  http1: Server,
  onHttp2: Http2Listener,
  onHttp2Connect: Http2Listener,
  options: FrontOptions,
): Promise<Front> {
  const http2: Http2Server = createHttp2Server({}, onHttp2);
  http2.on('connect', onHttp2Connect);
  const sessions = new Set<Http2Session>();
  http2.on('session', (session: Http2Session) => {
    sessions.add(session);
    if (tlsFiles === undefined) givePeerAddress(session);
    session.once('close', () => sessions.delete(session));
  });
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  let front: NetServer;
  let reloadTls: () => Promise<void> = () => Promise.resolve();
  const tlsFiles = options.tls;
  if (tlsFiles !== undefined) {
    const tlsServer = createTlsServer({ ...(await readPem(tlsFiles)), ALPNProtocols: ['h2', 'http/1.1'] });
    tlsServer.on('secureConnection', (socket: TLSSocket) => {
      track(socket);
      if (socket.alpnProtocol === 'h2') http2.emit('connection', socket);
      else http1.emit('connection', socket);
    });
    // A failed handshake concerns that connection only.
    tlsServer.on('tlsClientError', (_error, socket) => socket.destroy());
    reloadTls = async () => tlsServer.setSecureContext(await readPem(tlsFiles));
    front = tlsServer;
  } else {
    front = createNetServer((socket) => {
      track(socket);
      sniffPreface(socket, (isHttp2, prefix) =>
        (isHttp2 ? http2 : http1).emit('connection', new SniffedSocket(socket, prefix)),
      );
    });
  }

  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port, options.host, () => {
      front.off('error', reject);
      resolve();
    });
  });
  const address = front.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${tlsFiles ? 'https' : 'http'}://${host}:${address.port}`,
    reloadTls,
    close: (drainMs, forceHttp1) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          forceHttp1();
          for (const session of sessions) session.destroy();
          for (const socket of sockets) socket.destroy();
        }, drainMs);
        force.unref();
        // The front's close callback runs once every connection it accepted has ended.
        front.close(() => {
          clearTimeout(force);
          resolve();
        });
        for (const session of sessions) session.close();
        http1.closeIdleConnections();
      }),
  };
}

async function readPem(files: TlsFiles): Promise<{ cert: Buffer; key: Buffer }> {
  const [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
  // Fails here, with the file's problem, rather than at the first handshake.
  createSecureContext({ cert, key });
  return { cert, key };
}

/**
 * Reads until the first bytes tell HTTP/2's preface from anything else, then hands them on
 * (sniffed-socket.ts yields them again). A connection that sends nothing is left to the HTTP/1.1 server's header timeout.
 */
function sniffPreface(socket: Socket, decide: (isHttp2: boolean, prefix: Buffer) => void): void {
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    seen = Buffer.concat([seen, chunk]);
    const compared = Math.min(seen.length, PREFACE.length);
    const matches = seen.subarray(0, compared).equals(PREFACE.subarray(0, compared));
    if (matches && seen.length < PREFACE.length) return;
    socket.off('data', onData);
    socket.pause();
    decide(matches, seen);
  };
  socket.on('data', onData);
  socket.once('error', () => socket.destroy());
}
