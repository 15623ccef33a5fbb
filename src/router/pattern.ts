import { isGatewayError } from '../errors/gateway-error.js';
import { canonicalizeSegment } from './canonical-path.js';

/**
 * Route path patterns (docs/BEHAVIOUR.md "2. Paths"): literal segments, `{name}` parameter
 * segments and a final `{.+}` wildcard. Patterns are parsed once, when the config is compiled.
 */

export type PatternSegment =
  { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'param'; readonly name: string };

export interface RoutePattern {
  readonly source: string;
  /**
   * The segments before the wildcard (all of them when there is none), literals in canonical
   * spelling. A trailing slash is a final empty literal, exactly as `'/a/'.split('/')` has one,
   * so `/health/` and `/health` stay different routes.
   */
  readonly segments: readonly PatternSegment[];
  /** Ends in `/{.+}`: matches zero or more further segments. */
  readonly wildcard: boolean;
}

/** `error` is readable on both variants, so a validator can write `parsePathPattern(p).error`. */
export type PatternParseResult =
  | { readonly ok: true; readonly pattern: RoutePattern; readonly error?: undefined }
  | { readonly ok: false; readonly error: string; readonly pattern?: undefined };

export const WILDCARD_SEGMENT = '{.+}';
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses a route path; on failure the message names the offending segment, for `gatehouse validate`. */
export function parsePathPattern(path: string): PatternParseResult {
  if (!path.startsWith('/')) return failure('must start with "/"');
  if (path.includes('?') || path.includes('#')) {
    return failure('must not contain "?" or "#" (query strings and fragments are not part of a route path)');
  }
  const raw = path.split('/').slice(1);
  const segments: PatternSegment[] = [];
  const names = new Set<string>();
  for (const [index, text] of raw.entries()) {
    const isLast = index === raw.length - 1;
    if (text === WILDCARD_SEGMENT) {
      if (!isLast) return failure(`"${WILDCARD_SEGMENT}" is only allowed as the last segment`);
      return { ok: true, pattern: { source: path, segments: exactlySized(segments), wildcard: true } };
    }
    const parsed = parseSegment(text, isLast);
    if (typeof parsed === 'string') return failure(parsed);
    if (parsed.kind === 'param') {
      if (names.has(parsed.name)) return failure(`duplicate parameter name "{${parsed.name}}"`);
      names.add(parsed.name);
    }
    segments.push(parsed);
  }
  return { ok: true, pattern: { source: path, segments: exactlySized(segments), wildcard: false } };
}

/**
 * A copy of an array built by `push`, with no spare capacity: V8 grows such an array to 17
 * slots on its first push, about 110 bytes more than its few elements need. Every compiled
 * route keeps three such arrays (docs/ARCHITECTURE.md "Memory": 3 MiB at 10,000 routes).
 */
export function exactlySized<T>(items: T[]): T[] {
  return items.slice();
}

/**
 * A key equal for patterns that match exactly the same paths: parameter names do not matter
 * (`/a/{x}` equals `/a/{y}`). Literals never contain `{` or `/`, so the key is unambiguous.
 */
export function patternShape(pattern: RoutePattern): string {
  const parts = pattern.segments.map((segment) => (segment.kind === 'literal' ? segment.value : '{}'));
  if (pattern.wildcard) parts.push(WILDCARD_SEGMENT);
  return `/${parts.join('/')}`;
}

/**
 * Whether the pattern matches a canonical path given as `path.split('/')` (so `parts[0]` is
 * empty). The router walks its tree instead; this is the plain reading used by `explain`.
 */
export function patternMatches(pattern: RoutePattern, parts: readonly string[]): boolean {
  const count = parts.length - 1;
  const { segments } = pattern;
  if (pattern.wildcard ? count < segments.length : count !== segments.length) return false;
  return segments.every((segment, index) => {
    const part = parts[index + 1] as string;
    return segment.kind === 'literal' ? part === segment.value : part !== '';
  });
}

function parseSegment(text: string, isLast: boolean): PatternSegment | string {
  if (text === '') {
    // Only the final segment may be empty: that is the (significant) trailing slash.
    return isLast ? { kind: 'literal', value: '' } : 'empty segment ("//") in the path';
  }
  if (text.startsWith('{') && text.endsWith('}')) return parseParam(text.slice(1, -1));
  if (text.includes('{') || text.includes('}')) {
    return `braces inside the literal segment "${text}" (a parameter must be a whole segment, like "{id}")`;
  }
  return parseLiteral(text);
}

function parseParam(name: string): PatternSegment | string {
  if (name === '') return 'empty parameter name "{}"';
  if (name.endsWith('+')) {
    return `invalid parameter name "{${name}}" (the greedy wildcard is written "${WILDCARD_SEGMENT}")`;
  }
  if (!PARAM_NAME.test(name)) {
    return `invalid parameter name "{${name}}" (letters, digits and "_", not starting with a digit)`;
  }
  return { kind: 'param', name };
}

function parseLiteral(text: string): PatternSegment | string {
  let value: string;
  try {
    value = canonicalizeSegment(encodeLikeUrlParser(text));
  } catch (error) {
    if (isGatewayError(error)) return `invalid segment "${text}": ${String(error.detail?.reason)}`;
    if (error instanceof URIError) return `invalid segment "${text}": malformed Unicode`;
    throw error;
  }
  // A request's dot segments are resolved before matching, so such a literal could never match.
  if (value === '.' || value === '..') return `dot segment "${text}" in the path`;
  return { kind: 'literal', value };
}

/**
 * Percent-encodes what the WHATWG URL parser encodes in a path (controls, space, `"`, `<`, `>`,
 * backquote, non-ASCII as UTF-8), so `/café` in the config meets the `/caf%C3%A9` the runtime
 * hands over. `?`, `#`, `{`, `}` never reach here.
 */
function encodeLikeUrlParser(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    const encode =
      code <= 0x20 || code === 0x22 || code === 0x3c || code === 0x3e || code === 0x60 || code >= 0x7f;
    out += encode ? encodeURIComponent(char) : char;
  }
  return out;
}

function failure(message: string): PatternParseResult {
  return { ok: false, error: message };
}
