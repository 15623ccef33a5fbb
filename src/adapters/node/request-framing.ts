import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../../errors/codes.js';

/**
 * Framing problems node:http lets through to the request handler but the gateway refuses
 * (docs/BEHAVIOUR.md "Hostile input"), found once per request from the raw header list:
 * - two `Host` headers (RFC 9110 §7.2) or two `Authorization` headers (which token?);
 * - HTTP/1.1 without `Host` (RFC 9112 §3.2; HTTP/1.0 may omit it and is served; HTTP/2 carries
 *   `:authority` instead);
 * - a `Transfer-Encoding` other than plain `chunked`: the gateway decodes only chunked, and a
 *   body still gzip-coded would reach the upstream with a different meaning (RFC 9112 §6.1
 *   answers an unknown coding with 501).
 */
export function requestFramingProblem(
  incoming: IncomingMessage,
): string | { reason: string; code: ErrorCode } | undefined {
  const raw = incoming.rawHeaders;
  let hosts = 0;
  let authorizations = 0;
  let transferEncoding: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++;
    else if (name.length === 13 && name.toLowerCase() === 'authorization') authorizations++;
    else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding')
      transferEncoding = transferEncoding === undefined ? (raw[i + 1] as string) : `${transferEncoding},`;
  }
  if (hosts > 1) return 'duplicate Host header';
  if (authorizations > 1) return 'duplicate Authorization header';
  // HTTP/2 names the authority in `:authority` (RFC 9113 §8.3.1), not in Host.
  if (hosts === 0 && incoming.httpVersionMajor === 1 && incoming.httpVersion !== '1.0')
    return 'missing Host header';
  if (transferEncoding !== undefined && transferEncoding.trim().toLowerCase() !== 'chunked')
    return { reason: 'unsupported Transfer-Encoding', code: 'ERR_NOT_IMPLEMENTED' };
  return undefined;
}

/**
 * The authority a request without `Host` addressed: the gateway's own listening address, so an
 * HTTP/1.0 request (which may omit Host) gets a URL and is served.
 */
export function localAuthority(socket: Socket): string {
  const address = socket.localAddress ?? '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return `${host}:${socket.localPort ?? 80}`;
}
