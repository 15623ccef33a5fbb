import { ROOT_CONTEXT } from '@opentelemetry/api';
import { RandomIdGenerator, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { TraceIdRatioSampler } from './ratio-sampler.js';

describe('the trace id ratio sampler', () => {
  const ids = new RandomIdGenerator();
  const sampledShare = (sampler: TraceIdRatioSampler, n = 20_000): number => {
    let sampled = 0;
    for (let i = 0; i < n; i++) {
      if (
        sampler.shouldSample(ROOT_CONTEXT, ids.generateTraceId()).decision ===
        SamplingDecision.RECORD_AND_SAMPLED
      )
        sampled++;
    }
    return sampled / n;
  };

  it('samples about the configured share of random trace ids', () => {
    expect(sampledShare(new TraceIdRatioSampler(0.1))).toBeGreaterThan(0.085);
    expect(sampledShare(new TraceIdRatioSampler(0.1))).toBeLessThan(0.115);
    expect(sampledShare(new TraceIdRatioSampler(0))).toBe(0);
    expect(sampledShare(new TraceIdRatioSampler(1))).toBe(1);
  });

  it('decides from the trace id alone, the same way every time', () => {
    const sampler = new TraceIdRatioSampler(0.5);
    const low = '4bf92f3577b34da6a30000000000000f';
    const high = '4bf92f3577b34da6a3fffffffffffff0';
    expect(sampler.shouldSample(ROOT_CONTEXT, low).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(sampler.shouldSample(ROOT_CONTEXT, high).decision).toBe(SamplingDecision.NOT_RECORD);
    expect(sampler.shouldSample(ROOT_CONTEXT, high).decision).toBe(SamplingDecision.NOT_RECORD);
  });
});
