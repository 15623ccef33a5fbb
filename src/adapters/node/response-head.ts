import { HOP_BY_HOP_HEADERS } from '../../proxy/hop-by-hop.js';
import { undiciUtil } from './undici-agent.js';

const HOP_BY_HOP: ReadonlySet<string> = new Set(HOP_BY_HOP_HEADERS);

/**
 * An upstream response head (undici's raw `[name, value, …]` buffers) read in one pass into the
 * plain record an Answer carries, hop-by-hop fields left out (RFC 9110 §7.6.1): the common
 * head of an API answer builds one object instead of undici's parsed record and then a cleaned
 * copy of it (docs/ARCHITECTURE.md "Performance devices").
 *
 * Undefined for anything less common, which the caller parses the general way
 * (`undiciUtil.parseHeaders`, then proxy/headers.ts): a repeated field (several Set-Cookie
 * lines), a name a plain object already has (`constructor`, `__proto__`), a `Connection` value
 * that names other fields, or an announced `Trailer`.
 */
export function cleanResponseRecord(raw: readonly Buffer[]): Record<string, string> | undefined {
  const record: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = undiciUtil.headerNameToString(raw[i] as Buffer);
    if (HOP_BY_HOP.has(name)) {
      if (name === 'trailer') return undefined;
      if (name === 'connection' && !namesNoField((raw[i + 1] as Buffer).toString('latin1'))) return undefined;
      continue;
    }
    if (record[name] !== undefined) return undefined;
    record[name] = (raw[i + 1] as Buffer).toString('latin1');
  }
  return record;
}

/** `keep-alive` or `close`, the usual Connection values, which name no other field. */
function namesNoField(connection: string): boolean {
  const lower = connection.toLowerCase();
  return lower === 'keep-alive' || lower === 'close';
}
