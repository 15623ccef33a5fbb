import type { SpanContext } from '@opentelemetry/api';
import type { SamplerSpec } from './settings.js';

/**
 * Whether a new span is sampled (recorded and exported), from the configured sampler
 * (docs/OBSERVABILITY.md "Environment variables"): `parentbased_*` follow the parent's sampled
 * flag when there is a parent (remote or local), and every sampler decides a new trace with its
 * root rule. The OpenTelemetry SDK's samplers decide the same things; this is a plain function
 * so that a request that is not sampled builds no sampling-result objects.
 */
export type SamplingDecision = (traceId: string, parent: SpanContext | undefined) => boolean;

const TWO_POW_52 = 2 ** 52;

export function createSampler(spec: SamplerSpec): SamplingDecision {
  const root = rootDecision(spec);
  if (!spec.parentBased) return (traceId) => root(traceId);
  return (traceId, parent) => (parent === undefined ? root(traceId) : (parent.traceFlags & 1) === 1);
}

function rootDecision(spec: SamplerSpec): (traceId: string) => boolean {
  if (spec.root === 'always_on') return () => true;
  if (spec.root === 'always_off') return () => false;
  const bound = Math.max(0, Math.min(1, spec.ratio ?? 1)) * TWO_POW_52;
  return (traceId) => traceIdRandom52(traceId) < bound;
}

/**
 * `traceidratio`: the trace id's last 52 bits (13 hex digits; W3C Trace Context Level 2 makes
 * the right part of a trace id its random part) as one exact number, read by character codes:
 * every service using the same rule decides alike for one trace. The ids it reads were generated
 * here or validated by parseTraceparent, so they are 32 lowercase hex digits.
 */
export function traceIdRandom52(traceId: string): number {
  let value = 0;
  for (let i = 19; i < 32; i++) {
    const code = traceId.charCodeAt(i);
    value = value * 16 + (code <= 0x39 ? code - 0x30 : code - 0x57);
  }
  return value;
}
