import type { SpanContext, TraceState } from '@opentelemetry/api';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) headers without regular expressions
 * and without allocations beyond the id strings the span keeps: `traceparent` is validated in
 * place by character codes, `tracestate` is kept as the text the client sent and parsed only if
 * something asks for one of its entries (the gateway only forwards it).
 */

/** `traceparent` of version 00: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`. */
const TRACEPARENT_LENGTH = 55;

/** The remote parent named by a `traceparent` header, or undefined when it is absent or invalid. */
export function parseTraceparent(header: string | null, state: string | null): SpanContext | undefined {
  if (header === null) return undefined;
  const value = header.length === TRACEPARENT_LENGTH ? header : header.trim();
  if (value.length < TRACEPARENT_LENGTH) return undefined;
  if (value.charCodeAt(2) !== DASH || value.charCodeAt(35) !== DASH || value.charCodeAt(52) !== DASH) {
    return undefined;
  }
  if (!isLowerHex(value, 0, 2) || !isLowerHex(value, 3, 35) || !isLowerHex(value, 36, 52)) return undefined;
  if (!isLowerHex(value, 53, 55)) return undefined;
  // Version ff is forbidden; version 00 is exactly 55 characters; a later version may append
  // fields after a dash (§3.2.4: parse what version 00 defines).
  const v0 = value.charCodeAt(0);
  const v1 = value.charCodeAt(1);
  if (v0 === F && v1 === F) return undefined;
  const version00 = v0 === ZERO && v1 === ZERO;
  if (value.length > TRACEPARENT_LENGTH && (version00 || value.charCodeAt(TRACEPARENT_LENGTH) !== DASH)) {
    return undefined;
  }
  if (isAllZero(value, 3, 35) || isAllZero(value, 36, 52)) return undefined;
  return {
    traceId: value.slice(3, 35),
    spanId: value.slice(36, 52),
    traceFlags: hexDigit(value.charCodeAt(53)) * 16 + hexDigit(value.charCodeAt(54)),
    isRemote: true,
    ...(state === null ? {} : { traceState: new ForwardedTraceState(state) }),
  };
}

/** The `traceparent` that names `context` as the parent of the next hop (version 00). */
export function formatTraceparent(context: SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 1) === 1 ? '01' : '00'}`;
}

/**
 * The client's `tracestate` as received: the gateway adds no entry of its own, so it travels on
 * as the same text (trimmed), and is split into entries only if `get`/`set`/`unset` are used.
 */
export class ForwardedTraceState implements TraceState {
  readonly #text: string;
  #entries: Map<string, string> | undefined;

  constructor(text: string) {
    this.#text = text.trim();
  }

  get(key: string): string | undefined {
    return this.#map().get(key);
  }

  set(key: string, value: string): TraceState {
    const entries = new Map(this.#map());
    entries.delete(key);
    // A modified key moves to the front (W3C Trace Context §3.3.1.3).
    return ForwardedTraceState.of(new Map([[key, value], ...entries]));
  }

  unset(key: string): TraceState {
    const entries = new Map(this.#map());
    entries.delete(key);
    return ForwardedTraceState.of(entries);
  }

  serialize(): string {
    return this.#text;
  }

  static of(entries: ReadonlyMap<string, string>): ForwardedTraceState {
    return new ForwardedTraceState([...entries].map(([key, value]) => `${key}=${value}`).join(','));
  }

  #map(): Map<string, string> {
    if (this.#entries) return this.#entries;
    const entries = new Map<string, string>();
    for (const member of this.#text.split(',')) {
      const at = member.indexOf('=');
      if (at <= 0) continue;
      const key = member.slice(0, at).trim();
      // The first occurrence of a key is the one that counts.
      if (!entries.has(key)) entries.set(key, member.slice(at + 1).trim());
    }
    this.#entries = entries;
    return entries;
  }
}

const DASH = 0x2d;
const ZERO = 0x30;
const F = 0x66;

function hexDigit(code: number): number {
  return code <= 0x39 ? code - ZERO : code - 0x57;
}

/** Lowercase hex only: W3C Trace Context requires it (an uppercase id is invalid). */
function isLowerHex(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (!((code >= ZERO && code <= 0x39) || (code >= 0x61 && code <= F))) return false;
  }
  return true;
}

function isAllZero(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) !== ZERO) return false;
  return true;
}
