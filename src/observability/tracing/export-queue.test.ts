import { ROOT_CONTEXT, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { ExportQueue } from './export-queue.js';

const span = (sampled = true): ReadableSpan => {
  const context: SpanContext = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
  };
  return { spanContext: () => context } as unknown as ReadableSpan;
};

describe('the bounded export queue', () => {
  it('drops spans beyond its size instead of blocking, and skips unsampled spans', async () => {
    const batches: number[] = [];
    let release: () => void = () => undefined;
    const queue = new ExportQueue(
      (spans) => {
        batches.push(spans.length);
        return new Promise<void>((resolve) => (release = resolve));
      },
      { maxQueueSize: 3, maxExportBatchSize: 2, scheduleDelayMs: 10_000, mode: 'timer' },
    );
    queue.onStart(trace.wrapSpanContext(span().spanContext()) as never, ROOT_CONTEXT);
    queue.onEnd(span(false));
    // Two spans fill a batch: it leaves at once, and stays in flight until released.
    queue.onEnd(span());
    queue.onEnd(span());
    expect(batches).toEqual([2]);
    for (let i = 0; i < 5; i++) queue.onEnd(span());
    expect(queue.queued).toBe(3);
    expect(queue.dropped).toBe(2);
    release();
    const flushed = queue.forceFlush();
    await new Promise((resolve) => setTimeout(resolve, 0));
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    release();
    await flushed;
    expect(batches.reduce((a, b) => a + b, 0)).toBe(5);
    expect(queue.queued).toBe(0);
  });

  it('in request mode (Workers) exports only when flushed', async () => {
    const batches: number[] = [];
    const queue = new ExportQueue(
      (spans) => {
        batches.push(spans.length);
        return Promise.resolve();
      },
      { maxQueueSize: 10, maxExportBatchSize: 4, scheduleDelayMs: 1, mode: 'request' },
    );
    for (let i = 0; i < 6; i++) queue.onEnd(span());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches).toEqual([]);
    await queue.flush();
    expect(batches).toEqual([4, 2]);
  });
});
