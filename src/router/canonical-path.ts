import { GatewayError } from '../errors/gateway-error.js';

/**
 * The one canonical spelling of a request path (docs/BEHAVIOUR.md "2. Paths"). The same
 * string chooses the route and builds the upstream URL, so a protected route cannot be reached
 * through another spelling of its path (docs/SECURITY.md "Paths and headers": `/public/../admin`,
 * `/public/%2e%2e/admin`, `//admin`, `/admin%2Fx`).
 */

const NUL = 0x00;
const PERCENT = 0x25;
const DOT = 0x2e;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const SEMICOLON = 0x3b;
const HASH = 0x23;
const DEL = 0x7f;
const HEX_DIGITS = '0123456789ABCDEF';

/**
 * Canonicalizes a URL pathname: decodes percent-encoded unreserved characters (RFC 3986 §2.3),
 * uppercases the hex of the other escapes (§6.2.2.1), resolves `.`/`..` segments including their
 * encoded spellings (§5.2.4; `..` above the root stays at the root), merges repeated slashes and
 * keeps a trailing slash. Throws a 400 `ERR_BAD_REQUEST` for spellings that different servers
 * disagree about: encoded `/` or `\`, any `\`, NUL, broken escapes, a path not starting with `/`,
 * a `#` (a fragment is never part of a request-target, RFC 9112 §3.2), an encoded control
 * character (`%00`-`%1F`, `%7F`: CR/LF would split a header line in a naive upstream log or
 * redirect), and a segment whose name before a `;` is a dot segment (`..;`, `%2e%2e;x`: servlet
 * containers strip path parameters and then resolve the dots, docs/BEHAVIOUR.md "Hostile input").
 */
export function canonicalizePath(pathname: string): string {
  if (pathname.charCodeAt(0) !== SLASH) throw badPath('path does not start with /');
  // Runs on every request: nearly every real path is already canonical and is returned as is.
  if (isPlainPath(pathname)) return pathname;
  return resolveSegments(pathname.split('/'));
}

/**
 * Canonical text of one segment (no `/` inside): unreserved escapes decoded, the other escapes
 * uppercased. Also used for the literal segments of route patterns, so that a pattern literal
 * and a request segment meet in the same spelling (`%7E` and `~` are one character).
 */
export function canonicalizeSegment(segment: string): string {
  let out = '';
  let copiedUpTo = 0;
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    if (code === BACKSLASH) throw badPath('backslash in path');
    if (code === NUL) throw badPath('NUL in path');
    if (code === HASH) throw badPath('fragment (#) in request-target');
    if (code !== PERCENT) continue;
    const high = hexValue(segment.charCodeAt(i + 1));
    const low = hexValue(segment.charCodeAt(i + 2));
    if (high < 0 || low < 0) throw badPath('invalid percent-encoding');
    const byte = high * 16 + low;
    if (byte === SLASH) throw badPath('encoded slash (%2F) in path');
    if (byte === BACKSLASH) throw badPath('encoded backslash (%5C) in path');
    if (byte === NUL) throw badPath('encoded NUL (%00) in path');
    if (byte < 0x20 || byte === DEL) throw badPath('encoded control character in path');
    // Bytes no UTF-8 text contains: old decoders read the overlong `%C0%AE` as `.`.
    if (byte === 0xc0 || byte === 0xc1 || byte >= 0xf5) throw badPath('overlong or invalid UTF-8 escape');
    if (byte === PERCENT && isDoubleEncodedSeparator(segment, i + 3))
      throw badPath('double-encoded separator or dot (%252F, %252E, …)');
    out += segment.slice(copiedUpTo, i);
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${HEX_DIGITS[high]}${HEX_DIGITS[low]}`;
    i += 2;
    copiedUpTo = i + 1;
  }
  return copiedUpTo === 0 ? segment : out + segment.slice(copiedUpTo);
}

/** True when nothing in the path could change under canonicalization (no escape, dot segment, `//`). */
function isPlainPath(pathname: string): boolean {
  let previous = -1;
  for (let i = 0; i < pathname.length; i++) {
    const code = pathname.charCodeAt(i);
    if (code === PERCENT || code === BACKSLASH || code === NUL || code === SEMICOLON || code === HASH)
      return false;
    if (previous === SLASH && (code === SLASH || code === DOT)) return false;
    previous = code;
  }
  return true;
}

/** `parts` is `pathname.split('/')`, so `parts[0]` is the empty text before the leading slash. */
function resolveSegments(parts: readonly string[]): string {
  const kept: string[] = [];
  let trailingSlash = false;
  for (let i = 1; i < parts.length; i++) {
    // Every segment is checked, even one a later `..` removes: `/a/%zz/../b` is still malformed.
    const segment = canonicalizeSegment(parts[i] as string);
    if (hasDotSegmentName(segment)) throw badPath('dot segment with path parameters (;)');
    if (segment === '..') kept.pop();
    else if (segment !== '.' && segment !== '') kept.push(segment);
    // A path ending in `/`, `/.` or `/..` names a directory: RFC 3986 §5.2.4 keeps the slash.
    trailingSlash = segment === '' || segment === '.' || segment === '..';
  }
  if (kept.length === 0) return '/';
  return `/${kept.join('/')}${trailingSlash ? '/' : ''}`;
}

/**
 * True for `.;x`, `..;`, `..%3Bx` (after canonicalizeSegment decoded `%2e`): a segment whose name
 * before its path parameters is `.` or `..`. Tomcat, Jetty and Spring remove the parameters and
 * then resolve the dots, so such a path means something else upstream than it did to the router.
 */
function hasDotSegmentName(segment: string): boolean {
  if (segment.charCodeAt(0) !== DOT) return false;
  let name = segment;
  const semicolon = segment.indexOf(';');
  if (semicolon !== -1) name = segment.slice(0, semicolon);
  const encoded = name.indexOf('%3B');
  if (encoded !== -1) name = name.slice(0, encoded);
  if (name === segment) return false;
  return name === '.' || name === '..';
}

/**
 * `%25` followed by the escape of `/`, `\`, `.`, `;` or a control character: an upstream that
 * decodes twice (some frameworks and filters do) would see a separator or a dot segment the
 * router never saw.
 */
function isDoubleEncodedSeparator(segment: string, at: number): boolean {
  const high = hexValue(segment.charCodeAt(at));
  const low = hexValue(segment.charCodeAt(at + 1));
  if (high < 0 || low < 0) return false;
  const byte = high * 16 + low;
  return (
    byte === SLASH || byte === BACKSLASH || byte === DOT || byte === SEMICOLON || byte < 0x20 || byte === DEL
  );
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1; // also for NaN past the end of the string, so `%4` at the end is invalid
}

/** RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2d ||
    byte === DOT ||
    byte === 0x5f ||
    byte === 0x7e
  );
}

function badPath(reason: string): GatewayError {
  return new GatewayError('ERR_BAD_REQUEST', { detail: { reason } });
}
