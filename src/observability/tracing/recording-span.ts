import type {
  Attributes,
  AttributeValue,
  Exception,
  Link,
  Span,
  SpanAttributes,
  SpanAttributeValue,
  SpanContext,
  SpanKind,
  SpanStatus,
  TimeInput,
} from '@opentelemetry/api';

/** Where a recording span goes when it ends (the export queue). */
export interface SpanSink {
  onEnd(span: RecordingSpan): void;
}

export interface SpanEvent {
  readonly name: string;
  readonly timeMs: number;
  readonly attributes: Attributes | undefined;
}

/** The SDK's default limit (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT): more attributes are counted as dropped. */
const MAX_ATTRIBUTES = 128;
const MAX_EVENTS = 128;
const UNSET: SpanStatus = { code: 0 };

/**
 * A sampled span: the OpenTelemetry API's `Span`, recorded into a plain object that the export
 * queue encodes as OTLP JSON when it ends (otlp-json.ts). It replaces the SDK's span, whose
 * per-span work (resource and instrumentation scope references, attribute limits objects,
 * high-resolution time tuples, a span-processor fan-out) cost several µs per sampled request on
 * the gateway's path. Times are epoch milliseconds with sub-millisecond fractions
 * (`performance.timeOrigin + performance.now()`, as the SDK reads them).
 * Only spans that are sampled are RecordingSpans; the others are the API's non-recording spans.
 */
export class RecordingSpan implements Span {
  readonly attributes: Record<string, AttributeValue> = {};
  droppedAttributesCount = 0;
  events: SpanEvent[] | undefined;
  links: Link[] | undefined;
  status: SpanStatus = UNSET;
  endMs = 0;
  #attributeCount = 0;
  #ended = false;

  constructor(
    readonly context: SpanContext,
    public name: string,
    readonly kind: SpanKind,
    /** The parent's span id, when the span has a parent. */
    readonly parentSpanId: string | undefined,
    /** The parent came from another process (a client's `traceparent`). */
    readonly parentIsRemote: boolean,
    readonly startMs: number,
    private readonly sink: SpanSink,
    private readonly clock: () => number,
  ) {}

  spanContext(): SpanContext {
    return this.context;
  }

  setAttribute(key: string, value: SpanAttributeValue | undefined): this {
    if (this.#ended || key.length === 0 || value === undefined || value === null) return this;
    if (!(key in this.attributes)) {
      if (this.#attributeCount >= MAX_ATTRIBUTES) {
        this.droppedAttributesCount++;
        return this;
      }
      this.#attributeCount++;
    }
    this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: SpanAttributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: SpanAttributes | TimeInput, time?: TimeInput): this {
    if (this.#ended) return this;
    const events = (this.events ??= []);
    if (events.length >= MAX_EVENTS) return this;
    const attributesGiven = isAttributes(attributesOrTime);
    events.push({
      name,
      timeMs: toMs(attributesGiven ? time : (attributesOrTime as TimeInput | undefined), this.clock),
      attributes: attributesGiven ? (attributesOrTime as Attributes) : undefined,
    });
    return this;
  }

  addLink(link: Link): this {
    if (!this.#ended) (this.links ??= []).push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.#ended) return this;
    // An OK status is final (OpenTelemetry trace API, "Set Status").
    if (this.status.code !== 1) this.status = status;
    return this;
  }

  updateName(name: string): this {
    if (!this.#ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.#ended) return;
    this.#ended = true;
    this.endMs = Math.max(this.startMs, toMs(endTime, this.clock));
    this.sink.onEnd(this);
  }

  isRecording(): boolean {
    return !this.#ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else {
      if (exception.name ?? exception.code) {
        attributes['exception.type'] = String(exception.name ?? exception.code);
      }
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    this.addEvent('exception', attributes, time);
  }
}

function isAttributes(value: unknown): value is SpanAttributes {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** An API time input (epoch ms, `[seconds, nanoseconds]`, a Date) as epoch ms; now when absent. */
function toMs(time: TimeInput | undefined, clock: () => number): number {
  if (time === undefined) return clock();
  if (typeof time === 'number') {
    // The API also accepts performance.now()-style times (smaller than the time origin).
    return time < performance.timeOrigin ? performance.timeOrigin + time : time;
  }
  if (time instanceof Date) return time.getTime();
  return time[0] * 1000 + time[1] / 1e6;
}
