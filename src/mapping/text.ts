/** Turning mapped values into header/query text, and refusing text that must not be sent. */

/**
 * The text a source value maps to, or `undefined` for "nothing" (the header or parameter is
 * then removed). Arrays become comma-separated (elements converted the same way), objects JSON,
 * numbers and booleans their text. `null`, a missing value and the empty string are nothing:
 * an empty identity header is never useful, and treating it as absent keeps one rule for every
 * source (the spec says so for query parameters).
 */
export function toText(value: unknown): string | undefined {
  const text = stringify(value);
  return text === '' ? undefined : text;
}

function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) return value.map(stringify).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  // Functions and symbols are not JSON data; they cannot come from a token or a config file.
  return '';
}

// RFC 9110 §5.6.2 token: a header name.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const LINE_BREAK_OR_NUL = /[\r\n\0]/;
// RFC 9110 §5.5 field-value characters (VCHAR, SP, HTAB, obs-text), the same set Node's HTTP
// client enforces: anything else would make the upstream request throw or be ambiguous.
const NOT_FIELD_TEXT = /[^\t\x20-\x7e\x80-\xff]/;

export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/** Why a header value must not be sent, or `undefined` when it is fine. */
export function headerValueRefusal(value: string): string | undefined {
  if (!NOT_FIELD_TEXT.test(value)) return undefined;
  return LINE_BREAK_OR_NUL.test(value)
    ? 'header value contains CR, LF or NUL'
    : 'header value is not valid header text';
}

/**
 * Why a query value must not be sent. URLSearchParams would percent-encode CR/LF/NUL safely,
 * but an upstream that decodes and logs or re-emits it could still be injected; the spec refuses
 * such values everywhere.
 */
export function queryValueRefusal(value: string): string | undefined {
  return LINE_BREAK_OR_NUL.test(value) ? 'query value contains CR, LF or NUL' : undefined;
}
