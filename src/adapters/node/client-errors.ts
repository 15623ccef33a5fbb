import type { Socket } from 'node:net';

/**
 * Requests Node's HTTP parser refuses (malformed framing, oversize headers, conflicting
 * Content-Length/Transfer-Encoding) never reach the gateway; answer them with the same JSON
 * error vocabulary instead of Node's bare status line (docs/SECURITY.md "Paths and headers").
 */
const BODIES = {
  400: '{"error":"Bad request","code":"ERR_BAD_REQUEST"}',
  408: '{"error":"Request timeout","code":"ERR_REQUEST_TIMEOUT"}',
  414: '{"error":"URI too long","code":"ERR_URI_TOO_LONG"}',
  431: '{"error":"Request header fields too large","code":"ERR_HEADERS_TOO_LARGE"}',
} as const;

const REASONS = {
  400: 'Bad Request',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

export function handleClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const status = statusFor(error.code);
  const body = BODIES[status];
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nx-powered-by: Gatehouse\r\nconnection: close\r\n\r\n${body}`,
  );
}

function statusFor(code: string | undefined): 400 | 408 | 414 | 431 {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'HPE_URI_TOO_LONG') return 414;
  return 400;
}
