/**
 * The trace and span ids of a `traceparent` header (W3C Trace Context, version 00 layout), for
 * the access-log line when the gateway forwards a trace without tracing itself. Undefined when
 * absent or malformed.
 */
export function traceIdsFromHeader(header: string | null): { traceId: string; spanId: string } | undefined {
  if (header === null || header.length < 55) return undefined;
  const match = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}/.exec(header.trim());
  if (!match || /^0+$/.test(match[1] ?? '') || /^0+$/.test(match[2] ?? '')) return undefined;
  return { traceId: match[1] as string, spanId: match[2] as string };
}
