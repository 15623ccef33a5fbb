import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Writes a Web Response to a raw socket as an HTTP/1.1 response and closes the connection: the
 * answer to an upgrade request that was not switched (Node's `upgrade` path has no
 * ServerResponse). The body is delimited by the close, so it may stream.
 */
export async function writeResponseToSocket(socket: Duplex, response: Response): Promise<void> {
  if (socket.destroyed) return;
  let head = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n`;
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie' || name === 'connection' || name === 'content-length') continue;
    head += `${name}: ${value}\r\n`;
  }
  for (const cookie of response.headers.getSetCookie()) head += `set-cookie: ${cookie}\r\n`;
  head += 'connection: close\r\n\r\n';
  socket.write(head);
  if (response.body !== null) {
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (socket.destroyed) {
          await reader.cancel();
          return;
        }
        if (!socket.write(value)) await drainedOrClosed(socket);
      }
    } catch {
      socket.destroy();
      return;
    }
  }
  socket.end();
}

function drainedOrClosed(socket: Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}
