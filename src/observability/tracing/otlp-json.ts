import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/**
 * Encodes finished spans as an OTLP/HTTP JSON request body (ExportTraceServiceRequest in the
 * protobuf JSON mapping of the OTLP specification: ids as hex strings, times as decimal
 * nanosecond strings, enums as integers). Spans are grouped by resource, then by scope.
 */
export function encodeSpans(spans: readonly ReadableSpan[]): string {
  const byResource = new Map<ReadableSpan['resource'], Map<string, { scope: object; spans: object[] }>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (!scopes) {
      scopes = new Map();
      byResource.set(span.resource, scopes);
    }
    const { name, version } = span.instrumentationScope;
    const key = `${name}@${version ?? ''}`;
    let scope = scopes.get(key);
    if (!scope) {
      scope = { scope: { name, ...(version === undefined ? {} : { version }) }, spans: [] };
      scopes.set(key, scope);
    }
    scope.spans.push(encodeSpan(span));
  }
  return JSON.stringify({
    resourceSpans: [...byResource].map(([resource, scopes]) => ({
      resource: { attributes: encodeAttributes(resource.attributes as Attributes) },
      scopeSpans: [...scopes.values()],
    })),
  });
}

function encodeSpan(span: ReadableSpan): object {
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

function nanos([seconds, nanoseconds]: HrTime): string {
  return (BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds)).toString();
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
