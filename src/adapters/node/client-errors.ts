import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../../errors/codes.js';
import type { Gateway } from '../../gateway.js';

/**
 * Requests Node's HTTP parser refuses (malformed framing, oversize headers, conflicting
 * Content-Length/Transfer-Encoding, a client too slow to send its headers) never become a
 * `Request`. They are answered by the gateway's own exit (`Gateway.refuse`), so they carry the
 * catalogue's JSON body, `X-Request-Id` and, for an allowed origin, CORS — a browser that sends
 * 20 KB of cookies reads a 431, not a CORS failure (docs/SECURITY.md "Paths and headers").
 * This file only translates Node's error codes and writes the answer on the raw socket.
 */
export function createClientErrorHandler(gateway: Gateway) {
  return (error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void => {
    if (!socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const answer = gateway.refuse(codeFor(error.code), readableHeaders(error.rawPacket), {
      address: socket.remoteAddress ?? '',
    });
    const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : Buffer.alloc(0);
    const lines = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`];
    for (const [name, value] of Object.entries(answer.headers)) lines.push(`${name}: ${value}`);
    lines.push(`content-length: ${body.length}`, 'connection: close', '', '');
    socket.end(Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]));
  };
}

/** Node's parser error codes → catalogue codes (the adapter's translation layer). */
function codeFor(code: string | undefined): ErrorCode {
  if (code === 'HPE_HEADER_OVERFLOW') return 'ERR_HEADERS_TOO_LARGE';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'ERR_REQUEST_TIMEOUT';
  if (code === 'HPE_URI_TOO_LONG') return 'ERR_URI_TOO_LONG';
  return 'ERR_BAD_REQUEST';
}

/** Only the headers the exit reads, and only values that are plain header text. */
const DECORATION_INPUTS = new Set(['origin', 'x-request-id']);

/**
 * The `Origin` and `X-Request-Id` of the refused request, when the bytes Node had read hold
 * them (the parser hands them over as `rawPacket`); anything unreadable is left out.
 */
function readableHeaders(rawPacket: unknown): Headers {
  const headers = new Headers();
  if (!(rawPacket instanceof Uint8Array)) return headers;
  const text = Buffer.from(rawPacket.buffer, rawPacket.byteOffset, rawPacket.byteLength).toString('latin1');
  for (const line of text.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!DECORATION_INPUTS.has(name) || headers.has(name)) continue;
    try {
      headers.set(name, line.slice(colon + 1).trim());
    } catch {
      // Not valid header text: the answer goes out without it.
    }
  }
  return headers;
}
