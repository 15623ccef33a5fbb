import type { Answer } from '../answer.js';
import { errorAnswer } from '../errors/render.js';
import type { Router } from '../router/router.js';

/**
 * Methods the gateway never forwards, whatever the routes say (`ANY` included; docs/BEHAVIOUR.md
 * "Hostile input"): TRACE echoes the request back, cookies and Authorization included (cross-site
 * tracing), and CONNECT would turn the gateway into a tunnel. TRACE is a method the gateway knows
 * and refuses (405, with the methods the path does allow); CONNECT is one it does not implement
 * (501, RFC 9110 §15.6.2). On Node, CONNECT never reaches here (node:http hands it to the
 * server's `connect` event, answered by the adapter with the same catalogue row).
 */
const ALL_ROUTABLE = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT';

export function refusedMethod<T>(method: string, router: Router<T>, path: string): Answer | undefined {
  if (method === 'CONNECT') return errorAnswer('ERR_NOT_IMPLEMENTED');
  if (method !== 'TRACE') return undefined;
  const match = router.match('TRACE', path);
  const allow =
    match.kind === 'method-not-allowed' ? match.allow.join(', ') : match.kind === 'found' ? ALL_ROUTABLE : '';
  return errorAnswer('ERR_METHOD_NOT_ALLOWED', allow === '' ? undefined : { allow });
}
