import { describe, expect, it } from 'vitest';
import { RandomIds } from './ids.js';
import { createSampler, traceIdRandom52 } from './sampler.js';

describe('the samplers', () => {
  const ids = new RandomIds();
  const share = (decide: (traceId: string) => boolean, n = 20_000): number => {
    let sampled = 0;
    for (let i = 0; i < n; i++) if (decide(ids.traceId())) sampled++;
    return sampled / n;
  };

  it('traceidratio samples about the configured share of random trace ids', () => {
    const tenth = createSampler({ root: 'traceidratio', ratio: 0.1, parentBased: false });
    expect(share((id) => tenth(id, undefined))).toBeGreaterThan(0.085);
    expect(share((id) => tenth(id, undefined))).toBeLessThan(0.115);
    const none = createSampler({ root: 'traceidratio', ratio: 0, parentBased: false });
    expect(share((id) => none(id, undefined))).toBe(0);
    const all = createSampler({ root: 'traceidratio', ratio: 1, parentBased: false });
    expect(share((id) => all(id, undefined))).toBe(1);
  });

  it('traceidratio decides from the trace id alone (its last 52 bits), the same way every time', () => {
    const half = createSampler({ root: 'traceidratio', ratio: 0.5, parentBased: false });
    const low = '4bf92f3577b34da6a30000000000000f';
    const high = '4bf92f3577b34da6a3fffffffffffff0';
    expect(traceIdRandom52(low)).toBe(15);
    expect(traceIdRandom52(high)).toBe(2 ** 52 - 16);
    expect(half(low, undefined)).toBe(true);
    expect(half(high, undefined)).toBe(false);
    // Not parent-based: a sampled parent does not change the decision.
    expect(half(high, { traceId: high, spanId: '00f067aa0ba902b7', traceFlags: 1 })).toBe(false);
  });

  it('parent-based samplers follow the parent and use the root rule for new traces', () => {
    const parentBased = createSampler({ root: 'always_off', parentBased: true });
    const parent = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), isRemote: true };
    expect(parentBased('a'.repeat(32), { ...parent, traceFlags: 1 })).toBe(true);
    expect(parentBased('a'.repeat(32), { ...parent, traceFlags: 0 })).toBe(false);
    expect(parentBased('a'.repeat(32), undefined)).toBe(false);
    const on = createSampler({ root: 'always_on', parentBased: true });
    expect(on('a'.repeat(32), { ...parent, traceFlags: 0 })).toBe(false);
    expect(on('a'.repeat(32), undefined)).toBe(true);
  });

  it('random ids are lowercase hex of the right length, and differ', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const traceId = ids.traceId();
      const spanId = ids.spanId();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      seen.add(traceId);
    }
    expect(seen.size).toBe(2_000);
  });
});
