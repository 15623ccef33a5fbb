import type { SpanAttributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { ExportQueue, type ExportQueueOptions } from './export-queue.js';
import { RandomIds } from './ids.js';
import { envelopeOf } from './otlp-json.js';
import { RecordingSpan } from './recording-span.js';

/** Starts sampled spans whose end goes to `queue`, as tracing.ts does. */
function tracerFor(queue: ExportQueue) {
  const ids = new RandomIds();
  const clock = () => performance.timeOrigin + performance.now();
  return {
    startSpan(name: string, options: { attributes?: SpanAttributes } = {}): RecordingSpan {
      const context = { traceId: ids.traceId(), spanId: ids.spanId(), traceFlags: 1 };
      const span = new RecordingSpan(context, name, 0, undefined, false, clock(), queue, clock);
      if (options.attributes) span.setAttributes(options.attributes);
      return span;
    },
  };
}

function queueWith(options: Omit<ExportQueueOptions, 'mode'> & { mode?: ExportQueueOptions['mode'] }) {
  const batches: { spans: number; body: unknown }[] = [];
  let release: () => void = () => undefined;
  let hold = false;
  const queue = new ExportQueue(
    (body, spans) => {
      batches.push({ spans, body: JSON.parse(new TextDecoder().decode(body)) });
      return hold ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
    },
    envelopeOf({ 'service.name': 'queue-test' }, { name: 'gatehouse' }),
    { mode: 'timer', ...options },
  );
  return { queue, batches, holdExports: () => (hold = true), release: () => release() };
}

describe('the bounded export queue', () => {
  it('drops spans beyond its size instead of blocking, one export in flight at a time', async () => {
    const { queue, batches, holdExports, release } = queueWith({
      maxQueueSize: 3,
      maxExportBatchSize: 2,
      scheduleDelayMs: 10_000,
    });
    holdExports();
    const tracer = tracerFor(queue);
    // Two spans fill a batch: it leaves at once and stays in flight until released.
    tracer.startSpan('a').end();
    tracer.startSpan('b').end();
    expect(batches.map((b) => b.spans)).toEqual([2]);
    for (let i = 0; i < 5; i++) tracer.startSpan(`c${i}`).end();
    expect(queue.queued).toBe(3);
    expect(queue.dropped).toBe(2);
    release();
    const flushed = queue.forceFlush();
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      release();
    }
    await flushed;
    expect(batches.reduce((sum, b) => sum + b.spans, 0)).toBe(5);
    expect(queue.queued).toBe(0);
  });

  it('sends OTLP JSON bodies: one resource and scope around the batch', async () => {
    const { queue, batches } = queueWith({
      maxQueueSize: 10,
      maxExportBatchSize: 10,
      scheduleDelayMs: 10_000,
    });
    const tracer = tracerFor(queue);
    const parent = tracer.startSpan('parent');
    parent.end();
    tracer.startSpan('second', { attributes: { n: 1, ok: true, ratio: 0.5, s: 'x' } }).end();
    await queue.forceFlush();
    const body = batches[0]?.body as {
      resourceSpans: {
        resource: { attributes: unknown[] };
        scopeSpans: { scope: { name: string }; spans: Record<string, unknown>[] }[];
      }[];
    };
    expect(body.resourceSpans).toHaveLength(1);
    expect(body.resourceSpans[0]?.resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'queue-test' },
    });
    const scope = body.resourceSpans[0]?.scopeSpans[0];
    expect(scope?.scope.name).toBe('gatehouse');
    expect(scope?.spans.map((s) => s.name)).toEqual(['parent', 'second']);
    const second = scope?.spans[1] as Record<string, unknown>;
    expect(second.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(second.startTimeUnixNano).toMatch(/^\d{19}$/);
    expect(second.attributes).toEqual([
      { key: 'n', value: { intValue: '1' } },
      { key: 'ok', value: { boolValue: true } },
      { key: 'ratio', value: { doubleValue: 0.5 } },
      { key: 's', value: { stringValue: 'x' } },
    ]);
  });

  it('in request mode (Workers) exports only when flushed', async () => {
    const { queue, batches } = queueWith({
      maxQueueSize: 10,
      maxExportBatchSize: 4,
      scheduleDelayMs: 1,
      mode: 'request',
    });
    const tracer = tracerFor(queue);
    for (let i = 0; i < 6; i++) tracer.startSpan(`s${i}`).end();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches).toEqual([]);
    await queue.flush();
    expect(batches.map((b) => b.spans)).toEqual([4, 2]);
  });
});
