import { encodeBatch, encodeSpan, type Envelope } from './otlp-json.js';
import type { RecordingSpan, SpanSink } from './recording-span.js';

/** Sends one batch (an OTLP JSON body of `spans` spans); must never reject (failures are the sender's to report). */
export type SpanSender = (body: string, spans: number) => Promise<void>;

export interface ExportQueueOptions {
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduleDelayMs: number;
  /**
   * `timer` (Node): batches leave when full or after `scheduleDelayMs`, one export at a time.
   * `request` (Workers): nothing runs between requests, so the gateway calls `flush()` at the end
   * of each request and hands the promise to `ctx.waitUntil`.
   */
  readonly mode: 'timer' | 'request';
}

/**
 * A bounded batching export queue that drops rather than blocks: a finished (sampled) span is
 * queued while the queue has room and counted as dropped otherwise, so a slow or absent
 * collector can cost memory up to `maxQueueSize` spans and nothing on the request path. Written
 * instead of the SDK's BatchSpanProcessor because that one relies on timers between requests,
 * which Workers do not run.
 */
export class ExportQueue implements SpanSink {
  /** Spans already encoded (otlp-json.ts), oldest first. */
  #queue: string[] = [];
  readonly #envelope: Envelope;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #exporting: Promise<void> | undefined;
  #dropped = 0;
  readonly #send: SpanSender;
  readonly #options: ExportQueueOptions;

  /** `envelope`: the resource and instrumentation scope every batch is wrapped in (otlp-json.ts). */
  constructor(send: SpanSender, envelope: Envelope, options: ExportQueueOptions) {
    this.#send = send;
    this.#envelope = envelope;
    this.#options = options;
  }

  /** Spans dropped because the queue was full, since start. */
  get dropped(): number {
    return this.#dropped;
  }

  get queued(): number {
    return this.#queue.length;
  }

  onEnd(span: RecordingSpan): void {
    if (this.#queue.length >= this.#options.maxQueueSize) {
      this.#dropped++;
      return;
    }
    this.#queue.push(encodeSpan(span));
    if (this.#options.mode === 'timer') this.#schedule();
  }

  /** Exports everything queued now, in batches; resolves when done. Never rejects. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.maxExportBatchSize);
      await this.#send(encodeBatch(this.#envelope, batch), batch.length);
    }
  }

  forceFlush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    return (this.#exporting ?? Promise.resolve()).then(() => this.flush());
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }

  #schedule(): void {
    if (this.#exporting) return;
    if (this.#queue.length >= this.#options.maxExportBatchSize) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#exportBatch();
      return;
    }
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#exportBatch();
    }, this.#options.scheduleDelayMs);
    // A pending export never keeps a Node process alive on its own.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** One batch at a time; whatever arrived meanwhile is scheduled when it is done. */
  #exportBatch(): void {
    const batch = this.#queue.splice(0, this.#options.maxExportBatchSize);
    if (batch.length === 0) return;
    this.#exporting = this.#send(encodeBatch(this.#envelope, batch), batch.length).finally(() => {
      this.#exporting = undefined;
      if (this.#queue.length > 0) this.#schedule();
    });
  }
}
