import {
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { ExportQueue } from './export-queue.js';
import { RandomIds } from './ids.js';
import { envelopeOf } from './otlp-json.js';
import { createOtlpHttpSender, type OtlpPost } from './otlp-http.js';
import { RecordingSpan } from './recording-span.js';
import { createSampler } from './sampler.js';
import type { HeaderReader } from '../../proxy/client-address.js';
import type { TracingSettings } from './settings.js';
import { formatTraceparent, parseTraceparent } from './trace-context.js';

export { SpanKind, type Span };

/**
 * Request tracing with W3C Trace Context (https://www.w3.org/TR/trace-context/) behind the
 * OpenTelemetry API's `Span` interface: spans handed out are the API's non-recording spans
 * (not sampled: an id pair and nothing else) or RecordingSpans (sampled: recorded into a plain
 * object and encoded to OTLP JSON when they end). No global provider, no context manager and no
 * SDK objects: the request's span travels on the request context and is passed as the parent
 * explicitly, so the same code runs on Node and Workers. Span names and attributes:
 * docs/OBSERVABILITY.md "Traces".
 */
export interface Tracing {
  /** The server span of one request, continuing the client's `traceparent`/`tracestate` if valid. */
  startRequest(method: string, path: string, headers: HeaderReader, requestId: string): Span;
  /** Renames the server span after routing: `GET /users/{id}` (bounded cardinality). */
  nameRequest(span: Span, method: string, routePattern: string): void;
  /** Ends the server span; 5xx answers mark it as an error. */
  endRequest(span: Span, status: number, code: string | undefined): void;
  /**
   * A child of `parent`, or a new trace when there is no parent (control-plane calls).
   * `attributes` are set only when the span is recorded.
   */
  startSpan(parent: Span | undefined, name: string, kind: SpanKind, attributes?: Attributes): Span;
  /** Sets `traceparent` (and `tracestate`) naming `span` as the parent of the next hop. */
  inject(span: Span, headers: Pick<Headers, 'set'>): void;
  /** Exports everything queued now (Workers: at the end of each request, in waitUntil). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
  readonly queue: ExportQueue;
  /** Spans in batches the collector refused or did not answer in time (dropped), since start. */
  readonly failedSpans: number;
  readonly settings: TracingSettings;
}

export interface TracingOptions {
  readonly settings: TracingSettings;
  /** How the exporter posts a batch (see otlp-http.ts); `postWithFetch(fetch)` where nothing better exists. */
  readonly post: OtlpPost;
  readonly mode: 'timer' | 'request';
  /** Workers: keeps the export of a request's spans alive after its response. */
  readonly waitUntil?: (promise: Promise<unknown>) => void;
  readonly onExportFailure: (reason: string, spans: number) => void;
  readonly serviceVersion?: string;
  /** Runs after the last export on shutdown (closes the exporter's connections). */
  readonly onShutdown?: () => Promise<void>;
}

const INSTRUMENTATION = 'gatehouse';
const NOT_SAMPLED = 0;
const SAMPLED = 1;

export function createTracing(options: TracingOptions): Tracing {
  const { settings } = options;
  const ids = new RandomIds();
  const sampled = createSampler(settings.sampler);
  const parentDecides = settings.sampler.parentBased;
  const origin = performance.timeOrigin;
  const clock = (): number => origin + performance.now();
  let failedSpans = 0;
  const resource: Attributes = {
    ...settings.resourceAttributes,
    'service.name': settings.serviceName,
    ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
  };
  const queue = new ExportQueue(
    createOtlpHttpSender({
      url: settings.url,
      headers: settings.headers,
      timeoutMs: settings.timeoutMs,
      post: options.post,
      onFailure: (reason, spans) => {
        failedSpans += spans;
        options.onExportFailure(reason, spans);
      },
    }),
    envelopeOf(resource, { name: INSTRUMENTATION, version: options.serviceVersion }),
    { ...settings, mode: options.mode },
  );
  const flushAfterRequest =
    options.mode === 'request' && options.waitUntil
      ? (() => {
          const waitUntil = options.waitUntil;
          return () => {
            if (queue.queued > 0) waitUntil(queue.flush());
          };
        })()
      : undefined;

  /** A span of `traceId` with a new span id: recorded when sampled, else the API's non-recording span. */
  function open(
    name: string,
    kind: SpanKind,
    traceId: string,
    parent: SpanContext | undefined,
    isSampled: boolean,
  ): Span {
    const traceState = parent?.traceState;
    // Two literal shapes, no spread: a spread into a literal is V8's slow copy, on every request.
    const flags = isSampled ? SAMPLED : NOT_SAMPLED;
    const context: SpanContext = traceState
      ? { traceId, spanId: ids.spanId(), traceFlags: flags, traceState }
      : { traceId, spanId: ids.spanId(), traceFlags: flags };
    if (!isSampled) return trace.wrapSpanContext(context);
    return new RecordingSpan(
      context,
      name,
      kind,
      parent?.spanId,
      parent?.isRemote === true,
      clock(),
      queue,
      clock,
    );
  }

  return {
    queue,
    get failedSpans() {
      return failedSpans;
    },
    settings,
    startRequest(method, path, headers, requestId) {
      const remote = parseTraceparent(headers.get('traceparent'), headers.get('tracestate'));
      const traceId = remote ? remote.traceId : ids.traceId();
      const span = open(method, SpanKind.SERVER, traceId, remote, sampled(traceId, remote));
      // Attributes only on spans that are recorded: most are not, with ratio sampling.
      if (span.isRecording()) {
        span.setAttribute('http.request.method', method);
        span.setAttribute('url.path', path);
        span.setAttribute('gatehouse.request_id', requestId);
      }
      return span;
    },
    nameRequest(span, method, routePattern) {
      if (!span.isRecording()) return;
      span.updateName(`${method} ${routePattern}`);
      span.setAttribute('http.route', routePattern);
    },
    endRequest(span, status, code) {
      if (span.isRecording()) {
        span.setAttribute('http.response.status_code', status);
        if (code !== undefined) span.setAttribute('gatehouse.error_code', code);
        if (status >= 500) {
          span.setAttribute('error.type', code ?? String(status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      }
      flushAfterRequest?.();
    },
    startSpan(parent, name, kind, attributes) {
      if (parent === undefined) {
        const traceId = ids.traceId();
        const span = open(name, kind, traceId, undefined, sampled(traceId, undefined));
        if (attributes && span.isRecording()) span.setAttributes(attributes);
        return span;
      }
      const context = parent.spanContext();
      // A parent-based sampler follows the parent; another decides from the same trace id.
      const isSampled = parentDecides
        ? (context.traceFlags & SAMPLED) === SAMPLED
        : sampled(context.traceId, context);
      const span = open(name, kind, context.traceId, context, isSampled);
      if (attributes && span.isRecording()) span.setAttributes(attributes);
      return span;
    },
    inject(span, headers) {
      const context = span.spanContext();
      headers.set('traceparent', formatTraceparent(context));
      // A trace state comes from the client's `tracestate`, which the proxy forwards as is; without
      // one there is nothing to replace.
      const state = context.traceState?.serialize();
      if (state) headers.set('tracestate', state);
    },
    flush: () => queue.forceFlush(),
    shutdown: async () => {
      await queue.shutdown();
      await options.onShutdown?.();
    },
  };
}
