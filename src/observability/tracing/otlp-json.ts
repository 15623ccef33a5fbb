import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/**
 * OTLP/HTTP JSON request bodies (ExportTraceServiceRequest in the protobuf JSON mapping of the
 * OTLP specification: ids as hex strings, times as decimal nanosecond strings, enums as
 * integers). Each span is encoded to its JSON text as soon as it ends, so the export queue holds
 * one flat string per span rather than the SDK's span objects (less for the garbage collector to
 * trace while a batch fills); a batch is those texts joined inside the envelope of their
 * resource and scope, which every span of one tracer shares.
 */
export function encodeSpan(span: ReadableSpan): string {
  return JSON.stringify(spanObject(span));
}

/** The body around encoded spans: their resource and instrumentation scope. */
export interface Envelope {
  readonly prefix: string;
  readonly suffix: string;
}

export function envelopeOf(span: ReadableSpan): Envelope {
  const { name, version } = span.instrumentationScope;
  const resource = JSON.stringify({ attributes: encodeAttributes(span.resource.attributes as Attributes) });
  const scope = JSON.stringify({ name, ...(version === undefined ? {} : { version }) });
  return {
    prefix: `{"resourceSpans":[{"resource":${resource},"scopeSpans":[{"scope":${scope},"spans":[`,
    suffix: ']}]}]}',
  };
}

export function encodeBatch(envelope: Envelope, spans: readonly string[]): string {
  return `${envelope.prefix}${spans.join(',')}${envelope.suffix}`;
}

function spanObject(span: ReadableSpan): object {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  const traceState = context.traceState?.serialize();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    ...(traceState ? { traceState } : {}),
    ...(parent ? { parentSpanId: parent.spanId } : {}),
    flags: context.traceFlags | (parent?.isRemote ? 0x300 : 0x100),
    name: span.name,
    // OTLP numbers kinds from 1 (INTERNAL); the API from 0.
    kind: span.kind + 1,
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.endTime),
    attributes: encodeAttributes(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((event) => ({
      timeUnixNano: nanos(event.time),
      name: event.name,
      attributes: encodeAttributes(event.attributes ?? {}),
    })),
    status: {
      code: span.status.code,
      ...(span.status.message ? { message: span.status.message } : {}),
    },
  };
}

/** Seconds and nanoseconds as one decimal string, without BigInt (several times slower here). */
function nanos([seconds, nanoseconds]: HrTime): string {
  if (seconds === 0) return String(nanoseconds);
  return `${seconds}${String(nanoseconds).padStart(9, '0')}`;
}

function encodeAttributes(attributes: Attributes): object[] {
  const out: object[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) out.push({ key, value: encodeValue(value) });
  }
  return out;
}

function encodeValue(value: AttributeValue | null | undefined): object {
  if (Array.isArray(value)) {
    return { arrayValue: { values: (value as unknown[]).map((v) => encodeValue(v as AttributeValue)) } };
  }
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
    default:
      return {};
  }
}
