import { createRequire } from 'node:module';
import type { Agent as AgentClass, util as UtilNamespace } from 'undici';

/**
 * undici's `Agent` without the rest of undici (docs/ARCHITECTURE.md "Memory"). undici's package
 * entry loads everything it offers — `fetch`, WebSocket, EventSource, the cache and mock agents,
 * two copies of the llhttp WebAssembly in base64 — about 4 MiB of heap and 8 MiB of resident
 * memory more than the agent, its pools and its HTTP/1.1 and HTTP/2 clients, which are all the
 * upstream client uses. The entry also adds the `request`/`stream`/… methods to every dispatcher
 * (`Object.assign(Dispatcher.prototype, api)`); this does the same, so an `Agent` loaded here is
 * the one the entry exports, with the same methods; `undiciUtil` is the entry's `util.parseHeaders`. The paths are undici's own files (the
 * package has no `exports` map); undici is pinned to an exact version in package.json, and every
 * proxied test goes through this agent.
 */
const load = createRequire(import.meta.url);

const dispatcher = load('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
Object.assign(dispatcher.prototype, load('undici/lib/api/index.js') as object);

export const Agent = load('undici/lib/dispatcher/agent.js') as typeof AgentClass;
export type Agent = AgentClass;

/**
 * undici's header-list parser and its lower-cased header name lookup (a tree of the known names,
 * no `toLowerCase` for them), as its entry exports them (`util.parseHeaders`,
 * `util.headerNameToString`).
 */
type UndiciUtil = Pick<typeof UtilNamespace, 'parseHeaders' | 'headerNameToString'>;
const util = load('undici/lib/core/util.js') as UndiciUtil;
export const undiciUtil: UndiciUtil = {
  parseHeaders: util.parseHeaders,
  headerNameToString: util.headerNameToString,
};
