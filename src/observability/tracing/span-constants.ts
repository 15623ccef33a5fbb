import type { SpanKind, SpanStatusCode } from '@opentelemetry/api';

/**
 * The OpenTelemetry API's enum values that the request path needs, as constants: importing
 * them from `@opentelemetry/api` would load the API (and, through tracing.ts, the SDK) in every
 * process, including those that never trace. Values from the OpenTelemetry API specification.
 */
export const SPAN_KIND_INTERNAL = 0 as SpanKind;
export const SPAN_KIND_SERVER = 1 as SpanKind;
export const SPAN_KIND_CLIENT = 2 as SpanKind;
export const SPAN_STATUS_ERROR = 2 as SpanStatusCode;
