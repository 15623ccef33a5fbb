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
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw request timed out'));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const parsed = tryParse(Buffer.concat(chunks).toString('latin1'));
      if (parsed) {
        clearTimeout(timer);
        socket.destroy();
        resolve(parsed);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(
        tryParse(Buffer.concat(chunks).toString('latin1'), true) ?? { status: 0, headers: {}, body: '' },
      );
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
