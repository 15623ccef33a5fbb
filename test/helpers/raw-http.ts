import { connect } from 'node:net';

/**
 * Sends bytes exactly as written over a TCP socket, for cases a fetch client would normalize
 * away (dot segments, `//`, duplicate headers, conflicting framing). Resolves with the parsed
 * status, headers and body of the first response, or status 0 when the server closed the
 * connection without answering.
 */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function rawRequest(baseUrl: string, requestText: string, timeoutMs = 5000): Promise<RawResponse> {
  return exchange(baseUrl, requestText, timeoutMs, {
    name: 'raw request',
    // A reset after a complete answer is the server's business: the close settles it.
    socketErrors: 'ignore',
    early: (text) => tryParse(text),
    closed: (text) => tryParse(text, true) ?? { status: 0, headers: {}, body: '' },
  });
}

/**
 * One connection: writes `requestText`, settles with `early` as soon as it finds an answer (the
 * socket is then destroyed), else with `closed` when the server closes; rejects after `timeoutMs`.
 */
function exchange<T>(
  baseUrl: string,
  requestText: string,
  timeoutMs: number,
  how: {
    readonly name: string;
    readonly socketErrors: 'ignore' | 'reject';
    readonly early?: (text: string) => T | undefined;
    readonly closed: (text: string) => T;
  },
): Promise<T> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const text = () => Buffer.concat(chunks).toString('latin1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${how.name} timed out`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const found = how.early?.(text());
      if (found !== undefined) {
        clearTimeout(timer);
        socket.destroy();
        resolve(found);
      }
    });
    socket.on('error', how.socketErrors === 'reject' ? reject : () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(how.closed(text()));
    });
    socket.write(requestText);
  });
}

function tryParse(text: string, final = false): RawResponse | undefined {
  const headerEnd = text.indexOf('\r\n\r\n');
  if (headerEnd === -1) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, headerEnd).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = text.slice(headerEnd + 4);
  const length = headers['content-length'];
  if (length !== undefined && body.length < Number(length) && !final) return undefined;
  if (
    length === undefined &&
    headers['transfer-encoding'] === 'chunked' &&
    !body.endsWith('0\r\n\r\n') &&
    !final
  ) {
    return undefined;
  }
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: length !== undefined ? body.slice(0, Number(length)) : body,
  };
}

/**
 * The whole raw response of one request on a fresh connection, as bytes read until the server
 * closes it (send `Connection: close`, or HTTP/1.0): for what the parsed form above hides, such
 * as a chunked body's trailer section.
 */
export function rawExchange(baseUrl: string, requestText: string, timeoutMs = 5000): Promise<string> {
  return exchange(baseUrl, requestText, timeoutMs, {
    name: 'raw exchange',
    socketErrors: 'reject',
    closed: (text) => text,
  });
}
