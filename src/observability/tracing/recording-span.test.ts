import { describe, expect, it } from 'vitest';
import { nanos, encodeSpan } from './otlp-json.js';
import { RecordingSpan, type SpanSink } from './recording-span.js';
import { ForwardedTraceState } from './trace-context.js';

function spanWith(sink: SpanSink, times: number[]) {
  const clock = () => times.shift() ?? 0;
  return new RecordingSpan(
    {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      traceState: new ForwardedTraceState('k=v'),
    },
    'GET',
    1,
    'aaaaaaaaaaaaaaaa',
    true,
    1_900_000_000_123.25,
    sink,
    clock,
  );
}

describe('the recording span', () => {
  it('implements the API span: attributes, name, status, events, links; ends once into its sink', () => {
    const ended: RecordingSpan[] = [];
    const span = spanWith({ onEnd: (s) => ended.push(s) }, [1_900_000_000_124.5, 1_900_000_000_125.5]);
    expect(span.isRecording()).toBe(true);
    span
      .setAttribute('a', 'x')
      .setAttributes({ n: 3, ok: false, ratio: 0.25, list: ['p', 'q'], skipped: undefined })
      .updateName('GET /users/{id}')
      .setStatus({ code: 2, message: 'ERR_UPSTREAM_TIMEOUT' })
      .addEvent('retry', { attempt: 2 })
      .addLink({ context: { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: 1 } });
    span.end();
    span.end();
    span.setAttribute('late', 'ignored');
    expect(ended).toEqual([span]);
    expect(span.isRecording()).toBe(false);
    expect(span.attributes).not.toHaveProperty('late');

    const json = JSON.parse(encodeSpan(span)) as Record<string, unknown>;
    expect(json).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceState: 'k=v',
      parentSpanId: 'aaaaaaaaaaaaaaaa',
      flags: 0x301,
      name: 'GET /users/{id}',
      kind: 2,
      startTimeUnixNano: '1900000000123250000',
      endTimeUnixNano: '1900000000125500000',
      attributes: [
        { key: 'a', value: { stringValue: 'x' } },
        { key: 'n', value: { intValue: '3' } },
        { key: 'ok', value: { boolValue: false } },
        { key: 'ratio', value: { doubleValue: 0.25 } },
        { key: 'list', value: { arrayValue: { values: [{ stringValue: 'p' }, { stringValue: 'q' }] } } },
      ],
      events: [
        {
          timeUnixNano: '1900000000124500000',
          name: 'retry',
          attributes: [{ key: 'attempt', value: { intValue: '2' } }],
        },
      ],
      links: [{ traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), attributes: [] }],
      status: { code: 2, message: 'ERR_UPSTREAM_TIMEOUT' },
    });
  });

  it('keeps an OK status, escapes names and values, and counts attributes beyond the limit', () => {
    const span = spanWith({ onEnd: () => undefined }, []);
    span.setStatus({ code: 1 }).setStatus({ code: 2 });
    span.updateName('quote " and \\ and \n');
    for (let i = 0; i < 130; i++) span.setAttribute(`k${i}`, `v"${i}`);
    span.end(1_900_000_001_000);
    const json = JSON.parse(encodeSpan(span)) as Record<string, unknown>;
    expect(json.status).toEqual({ code: 1 });
    expect(json.name).toBe('quote " and \\ and \n');
    expect((json.attributes as unknown[]).length).toBe(128);
    expect(json.droppedAttributesCount).toBe(2);
    expect(json.endTimeUnixNano).toBe('1900000001000000000');
  });

  it('records exceptions as events', () => {
    const span = spanWith({ onEnd: () => undefined }, [1_900_000_000_200]);
    span.recordException(new TypeError('boom'));
    expect(span.events?.[0]?.name).toBe('exception');
    expect(span.events?.[0]?.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'boom',
    });
  });

  it('writes epoch milliseconds as exact nanosecond strings', () => {
    expect(nanos(1_900_000_000_123)).toBe('1900000000123000000');
    expect(nanos(1_900_000_000_123.5)).toBe('1900000000123500000');
    expect(nanos(1_900_000_000_999.75)).toBe('1900000000999750000');
    expect(nanos(0.5)).toBe('500000');
  });
});
