import { TraceFlags } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { ForwardedTraceState, formatTraceparent, parseTraceparent } from './trace-context.js';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceparent parsing', () => {
  it('reads the ids and flags of a valid version-00 header, as a remote parent', () => {
    expect(parseTraceparent(VALID, null)).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(parseTraceparent(`  ${VALID.replace(/-01$/, '-00')} `, null)?.traceFlags).toBe(0);
  });

  it.each([
    ['absent', null],
    ['empty', ''],
    ['too short', VALID.slice(0, 54)],
    ['uppercase hex', VALID.toUpperCase()],
    ['version ff', `ff${VALID.slice(2)}`],
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['version 00 with trailing data', `${VALID}-extra`],
    ['a later version without a dash after the flags', `01${VALID.slice(2)}x`],
    ['misplaced dashes', '00-4bf92f3577b34da6a3ce929d0e0e47360-0f067aa0ba902b7-01'],
    ['non-hex flags', `${VALID.slice(0, 53)}zz`],
    ['non-hex trace id', '00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01'],
  ])('refuses a header that is %s (a new trace starts instead)', (_, header) => {
    expect(parseTraceparent(header, null)).toBeUndefined();
  });

  it('accepts a later version with more fields, reading the version-00 part', () => {
    expect(parseTraceparent(`cc${VALID.slice(2)}-what-the-future-adds`, null)?.spanId).toBe(
      '00f067aa0ba902b7',
    );
  });

  it('decides like the OpenTelemetry SDK on a sample of valid and broken headers', () => {
    const samples = [VALID, VALID.replace(/-01$/, '-03'), `cc${VALID.slice(2)}-x`, `${VALID} `];
    for (let i = 0; i < 400; i++) {
      // Flip one character of a valid header to something else.
      const at = i % VALID.length;
      const replacement = '0af-Z '[i % 6] as string;
      samples.push(VALID.slice(0, at) + replacement + VALID.slice(at + 1));
    }
    for (const header of samples) {
      const ours = parseTraceparent(header, null);
      const sdk = parseTraceParent(header);
      expect(ours === undefined, header).toBe(sdk === null);
      if (ours && sdk) expect({ ...ours }).toEqual({ ...sdk, isRemote: true });
    }
  });

  it('formats the next hop with the sampled flag alone', () => {
    const context = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
    expect(formatTraceparent({ ...context, traceFlags: 1 })).toBe(VALID);
    expect(formatTraceparent({ ...context, traceFlags: 0 })).toBe(VALID.replace(/-01$/, '-00'));
  });
});

describe('the forwarded tracestate', () => {
  it('travels on as the text the client sent, and reads its entries when asked', () => {
    const header = parseTraceparent(VALID, ' rojo=00f067aa0ba902b7,congo=t61rcWkgMzE ');
    const state = header?.traceState as ForwardedTraceState;
    expect(state.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(state.get('congo')).toBe('t61rcWkgMzE');
    expect(state.set('gh', '1').serialize()).toBe('gh=1,rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(state.set('congo', 'x').serialize()).toBe('congo=x,rojo=00f067aa0ba902b7');
    expect(state.unset('rojo').serialize()).toBe('congo=t61rcWkgMzE');
    // Immutable: the original is unchanged.
    expect(state.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });
});
