import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Sends `100 Continue` the first time the request body is read, never before (RFC 9110 §10.1.1:
 * a server may answer the final status instead). The gateway reads a body only after routing,
 * auth and the declared-size check passed, so a refused client never uploads. If the final
 * answer goes out first, node:http closes the connection after it (the client may already be
 * sending the body), and no late 100 is written.
 */
export function continueWhenBodyIsRead(incoming: IncomingMessage, outgoing: ServerResponse): void {
  const stream = incoming as IncomingMessage & { _read(size: number): void };
  const read = stream._read.bind(stream);
  let sent = false;
  stream._read = (size: number) => {
    if (!sent) {
      sent = true;
      if (!outgoing.headersSent && !outgoing.writableEnded) outgoing.writeContinue();
    }
    read(size);
  };
  outgoing.once('finish', () => {
    if (!sent) outgoing.socket?.destroySoon();
  });
}
