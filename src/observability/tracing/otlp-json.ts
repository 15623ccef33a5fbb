import type { Attributes, AttributeValue, Link } from '@opentelemetry/api';
import type { RecordingSpan, SpanEvent } from './recording-span.js';

/**
 * OTLP/HTTP JSON request bodies (ExportTraceServiceRequest in the protobuf JSON mapping of the
 * OTLP specification: ids as hex strings, times as decimal nanosecond strings, enums as
 * integers). Each span is encoded to its JSON text as soon as it ends and written into its
 * batch's bytes (span-batch.ts), inside the envelope of the resource and instrumentation scope
 * every span shares, so the export queue holds no span objects or strings while a batch fills.
 * The text is written directly: ids are validated hex and numbers are numbers, so only names,
 * keys and string values go through `JSON.stringify`.
 */
export function encodeSpan(span: RecordingSpan): string {
  const { traceId, spanId, traceFlags, traceState } = span.context;
  const state = traceState?.serialize();
  // OTLP numbers kinds from 1 (INTERNAL); the API from 0. Flags carry "has is_remote" (0x100)
  // and "parent is remote" (0x200) beside the W3C trace flags.
  let text =
    `{"traceId":"${traceId}","spanId":"${spanId}"` +
    (state ? `,"traceState":${JSON.stringify(state)}` : '') +
    (span.parentSpanId === undefined ? '' : `,"parentSpanId":"${span.parentSpanId}"`) +
    `,"flags":${(traceFlags & 0xff) | (span.parentIsRemote ? 0x300 : 0x100)}` +
    `,"name":${JSON.stringify(span.name)},"kind":${span.kind + 1}` +
    `,"startTimeUnixNano":"${nanos(span.startMs)}","endTimeUnixNano":"${nanos(span.endMs)}"` +
    `,"attributes":${encodeAttributes(span.attributes)}`;
  if (span.droppedAttributesCount > 0) text += `,"droppedAttributesCount":${span.droppedAttributesCount}`;
  if (span.events) text += `,"events":[${span.events.map(encodeEvent).join(',')}]`;
  if (span.links) text += `,"links":[${span.links.map(encodeLink).join(',')}]`;
  const { code, message } = span.status;
  text +=
    code === 0 && !message
      ? ',"status":{}}'
      : `,"status":{"code":${code}${message ? `,"message":${JSON.stringify(message)}` : ''}}}`;
  return text;
}

/** The body around encoded spans: their resource and instrumentation scope. */
export interface Envelope {
  readonly prefix: string;
  readonly suffix: string;
}

export function envelopeOf(
  resource: Attributes,
  scope: { readonly name: string; readonly version?: string | undefined },
): Envelope {
  const scopeText = JSON.stringify(scope.version === undefined ? { name: scope.name } : scope);
  return {
    prefix: `{"resourceSpans":[{"resource":{"attributes":${encodeAttributes(resource)}},"scopeSpans":[{"scope":${scopeText},"spans":[`,
    suffix: ']}]}]}',
  };
}

function encodeEvent(event: SpanEvent): string {
  return `{"timeUnixNano":"${nanos(event.timeMs)}","name":${JSON.stringify(event.name)},"attributes":${encodeAttributes(event.attributes ?? {})}}`;
}

function encodeLink(link: Link): string {
  const { traceId, spanId, traceState } = link.context;
  const state = traceState?.serialize();
  return (
    `{"traceId":${JSON.stringify(traceId)},"spanId":${JSON.stringify(spanId)}` +
    (state ? `,"traceState":${JSON.stringify(state)}` : '') +
    `,"attributes":${encodeAttributes(link.attributes ?? {})}}`
  );
}

/**
 * Epoch milliseconds (with a fraction) as decimal nanoseconds, without BigInt: the whole
 * milliseconds, then six digits of nanoseconds.
 */
export function nanos(ms: number): string {
  let whole = Math.floor(ms);
  let fraction = Math.round((ms - whole) * 1e6);
  if (fraction >= 1e6) {
    whole += 1;
    fraction -= 1e6;
  }
  if (whole === 0) return String(fraction);
  // 1e6 + fraction has seven digits, the last six the fraction zero-padded (cheaper than padStart).
  return `${whole}${String(1e6 + fraction).slice(1)}`;
}

function encodeAttributes(attributes: Attributes): string {
  let text = '';
  for (const key in attributes) {
    const value = encodeValue(attributes[key]);
    if (value === undefined) continue;
    text += `${text === '' ? '' : ','}{"key":${JSON.stringify(key)},"value":${value}}`;
  }
  return `[${text}]`;
}

function encodeValue(value: AttributeValue | null | undefined): string | undefined {
  switch (typeof value) {
    case 'string':
      return `{"stringValue":${JSON.stringify(value)}}`;
    case 'boolean':
      return `{"boolValue":${value}}`;
    case 'number':
      // OTLP's int64 is a decimal string in JSON; NaN and ±Infinity are not JSON numbers.
      if (Number.isSafeInteger(value)) return `{"intValue":"${value}"}`;
      return `{"doubleValue":${Number.isFinite(value) ? value : JSON.stringify(String(value))}}`;
    case 'object':
      if (Array.isArray(value)) {
        const values = (value as unknown[]).map((item) => encodeValue(item as AttributeValue) ?? '{}');
        return `{"arrayValue":{"values":[${values.join(',')}]}}`;
      }
      return undefined;
    default:
      return undefined;
  }
}
