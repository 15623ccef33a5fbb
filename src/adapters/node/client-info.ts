import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientInfo } from '../../platform.js';

/**
 * Connection facts for one request. The abort signal is created only when a step asks for it
 * (the proxy does; static routes never pay for an AbortController and a close listener).
 */
export function clientInfoFor(incoming: IncomingMessage, outgoing: ServerResponse): ClientInfo {
  let controller: AbortController | undefined;
  const malformed = findDuplicateSingletonHeader(incoming.rawHeaders);
  return {
    ...(malformed === undefined ? {} : { malformed }),
    address: incoming.socket.remoteAddress ?? '',
    protocol: (incoming.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
    get signal() {
      if (!controller) {
        const created = new AbortController();
        controller = created;
        outgoing.once('close', () => {
          if (!outgoing.writableFinished) created.abort(new Error('client disconnected'));
        });
      }
      return controller.signal;
    },
  };
}

/**
 * Headers that must appear at most once (RFC 9110 §7.2 for Host; two Authorization headers make
 * "which token?" ambiguous). Node keeps only the first Host in `headers`, so look at the raw list.
 */
function findDuplicateSingletonHeader(rawHeaders: readonly string[]): string | undefined {
  let hosts = 0;
  let authorizations = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++;
    else if (name.length === 13 && name.toLowerCase() === 'authorization') authorizations++;
  }
  if (hosts > 1) return 'duplicate Host header';
  if (authorizations > 1) return 'duplicate Authorization header';
  return undefined;
}
