import type { HeaderReader } from '../client-address.js';
import type { CachedResponse } from './memory-store.js';

/**
 * A client's own conditional request answered from a stored response (RFC 9110 §13.1, RFC 9111
 * §4.3.2): `If-None-Match` against the stored `ETag` (weak comparison, `*` matches any), else
 * `If-Modified-Since` against its `Last-Modified` (or `Date`, or when it was received).
 */
export function notModified(entry: CachedResponse, headers: HeaderReader): boolean {
  const ifNoneMatch = headers.get('if-none-match');
  if (ifNoneMatch !== null) {
    const etag = entry.headers.etag;
    if (ifNoneMatch.trim() === '*') return true;
    if (etag === undefined) return false;
    const stored = opaque(etag);
    return ifNoneMatch.split(',').some((candidate) => opaque(candidate) === stored);
  }
  const ifModifiedSince = headers.get('if-modified-since');
  if (ifModifiedSince === null) return false;
  const since = Date.parse(ifModifiedSince);
  if (Number.isNaN(since)) return false; // an invalid date is ignored (RFC 9110 §13.1.3)
  const modified = Date.parse(entry.headers['last-modified'] ?? entry.headers.date ?? '');
  return (Number.isNaN(modified) ? entry.storedAt : modified) <= since;
}

/** The entity tag without its weakness flag: weak comparison (RFC 9110 §8.8.3.2). */
function opaque(tag: string): string {
  const trimmed = tag.trim();
  return trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed;
}

/** The fields a 304 carries from the stored 200 (RFC 9110 §15.4.5). */
const NOT_MODIFIED_FIELDS = [
  'cache-control',
  'content-location',
  'date',
  'etag',
  'expires',
  'last-modified',
  'vary',
];

export function notModifiedHeaders(entry: CachedResponse): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of NOT_MODIFIED_FIELDS) {
    const value = entry.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}
