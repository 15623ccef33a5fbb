import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { parseTraceParent, TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  ParentBasedSampler,
  RandomIdGenerator,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import { ExportQueue } from './export-queue.js';
import { createOtlpHttpSender, type OtlpPost } from './otlp-http.js';
import { TraceIdRatioSampler } from './ratio-sampler.js';
import type { SamplerSpec, TracingSettings } from './settings.js';

export { SpanKind, type Span };

/**
 * Request tracing with W3C Trace Context (https://www.w3.org/TR/trace-context/) over the
 * OpenTelemetry API and the SDK's tracer and samplers: no global provider and no context
 * manager — the request's span travels on the request context, so the same code runs on Node
 * and Workers. Span names and attributes: docs/OBSERVABILITY.md "Traces".
 */
export interface Tracing {
  /** The server span of one request, continuing the client's `traceparent`/`tracestate` if valid. */
  startRequest(method: string, path: string, headers: Headers, requestId: string): Span;
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
  inject(span: Span, headers: Headers): void;
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
const SERVER = { kind: SpanKind.SERVER };
/** Span options per kind, allocated once. */
const KIND_OPTIONS: Readonly<Record<SpanKind, { kind: SpanKind }>> = {
  [SpanKind.INTERNAL]: { kind: SpanKind.INTERNAL },
  [SpanKind.SERVER]: SERVER,
  [SpanKind.CLIENT]: { kind: SpanKind.CLIENT },
  [SpanKind.PRODUCER]: { kind: SpanKind.PRODUCER },
  [SpanKind.CONSUMER]: { kind: SpanKind.CONSUMER },
};

export function createTracing(options: TracingOptions): Tracing {
  const { settings } = options;
  const ids = new RandomIdGenerator();
  const parentDecides = settings.sampler.parentBased;
  let failedSpans = 0;
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
    { ...settings, mode: options.mode },
  );
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      ...settings.resourceAttributes,
      'service.name': settings.serviceName,
      ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
    }),
    sampler: samplerOf(settings.sampler),
    idGenerator: ids,
    spanProcessors: [queue],
  });
  const tracer: Tracer = provider.getTracer(INSTRUMENTATION, options.serviceVersion);
  const flushAfterRequest =
    options.mode === 'request' && options.waitUntil
      ? (() => {
          const waitUntil = options.waitUntil;
          return () => {
            if (queue.queued > 0) waitUntil(queue.flush());
          };
        })()
      : undefined;

  return {
    queue,
    get failedSpans() {
      return failedSpans;
    },
    settings,
    startRequest(method, path, headers, requestId) {
      const remote = remoteParent(headers);
      const parent = remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
      // Attributes only on spans that are recorded: most are not, with ratio sampling.
      const span = tracer.startSpan(method, SERVER, parent);
      if (span.isRecording()) {
        span.setAttributes({
          'http.request.method': method,
          'url.path': path,
          'gatehouse.request_id': requestId,
        });
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
      }
      span.end();
      flushAfterRequest?.();
    },
    startSpan(parent, name, kind, attributes) {
      if (parent !== undefined && parentDecides && !parent.isRecording()) {
        // The parent-based sampler would decide "not sampled" anyway: skip the SDK's span
        // creation, keep the trace (and its tracestate) with a span id of this hop's own.
        const { traceId, traceState } = parent.spanContext();
        return trace.wrapSpanContext({
          traceId,
          spanId: ids.generateSpanId(),
          traceFlags: TraceFlags.NONE,
          ...(traceState ? { traceState } : {}),
        });
      }
      const context = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
      const span = tracer.startSpan(name, KIND_OPTIONS[kind], context);
      if (attributes && span.isRecording()) span.setAttributes(attributes);
      return span;
    },
    inject(span, headers) {
      const context = span.spanContext();
      headers.set('traceparent', traceparentOf(context));
      // A trace state comes from the client's `tracestate`, which the proxy forwards as is; without
      // one there is nothing to replace.
      const state = context.traceState?.serialize();
      if (state) headers.set('tracestate', state);
    },
    flush: () => queue.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      await options.onShutdown?.();
    },
  };
}

/** The client's trace context, when its `traceparent` is valid (an invalid one starts a new trace). */
function remoteParent(headers: Headers): SpanContext | undefined {
  const header = headers.get('traceparent');
  if (header === null) return undefined;
  const context = parseTraceParent(header);
  if (!context) return undefined;
  const state = headers.get('tracestate');
  if (state !== null) context.traceState = new TraceState(state);
  return context;
}

export function traceparentOf(context: SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-0${(context.traceFlags & 0xff).toString(16)}`;
}

function samplerOf(spec: SamplerSpec): Sampler {
  const root =
    spec.root === 'always_on'
      ? new AlwaysOnSampler()
      : spec.root === 'always_off'
        ? new AlwaysOffSampler()
        : new TraceIdRatioSampler(spec.ratio ?? 1);
  return spec.parentBased ? new ParentBasedSampler({ root }) : root;
}
