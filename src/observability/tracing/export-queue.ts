import { encodeSpan, type Envelope } from './otlp-json.js';
import type { RecordingSpan, SpanSink } from './recording-span.js';
import { encodeEnvelope, SpanBatch, type EncodedEnvelope } from './span-batch.js';

/**
 * Sends one batch (the UTF-8 bytes of an OTLP JSON body of `spans` spans); must never reject
 * (failures are the sender's to report).
 */
export type SpanSender = (body: Uint8Array<ArrayBuffer>, spans: number) => Promise<void>;

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
  /** Full batches, oldest first, then the one being filled. */
  readonly #full: SpanBatch[] = [];
  #filling: SpanBatch | undefined;
  #queued = 0;
  /** The last batch's size and an eighth: the next one starts that large rather than growing again. */
  #batchBytes: number | undefined;
  readonly #envelope: EncodedEnvelope;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #exporting: Promise<void> | undefined;
  #dropped = 0;
  readonly #send: SpanSender;
  readonly #options: ExportQueueOptions;

  /** `envelope`: the resource and instrumentation scope every batch is wrapped in (otlp-json.ts). */
  constructor(send: SpanSender, envelope: Envelope, options: ExportQueueOptions) {
    this.#send = send;
    this.#envelope = encodeEnvelope(envelope);
    this.#options = options;
  }

  /** Spans dropped because the queue was full, since start. */
  get dropped(): number {
    return this.#dropped;
  }

  get queued(): number {
    return this.#queued;
  }

  onEnd(span: RecordingSpan): void {
    if (this.#queued >= this.#options.maxQueueSize) {
      this.#dropped++;
      return;
    }
    const batch = (this.#filling ??= new SpanBatch(this.#envelope, this.#batchBytes));
    batch.add(encodeSpan(span));
    this.#queued++;
    if (batch.spans >= this.#options.maxExportBatchSize) {
      this.#full.push(batch);
      this.#filling = undefined;
    }
    if (this.#options.mode === 'timer') this.#schedule();
  }

  /** Exports everything queued now, in batches; resolves when done. Never rejects. */
  async flush(): Promise<void> {
    for (let batch = this.#take(); batch !== undefined; batch = this.#take()) {
      await this.#send(batch.seal(), batch.spans);
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

  /** The oldest batch, full or not, out of the queue. */
  #take(): SpanBatch | undefined {
    let batch = this.#full.shift();
    if (batch === undefined) {
      batch = this.#filling;
      this.#filling = undefined;
    }
    if (batch === undefined) return undefined;
    this.#queued -= batch.spans;
    return batch;
  }

  #schedule(): void {
    if (this.#exporting) return;
    if (this.#full.length > 0) {
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
    const batch = this.#take();
    if (batch === undefined) return;
    const body = batch.seal();
    this.#batchBytes = body.byteLength + (body.byteLength >> 3);
    this.#exporting = this.#send(body, batch.spans).finally(() => {
      this.#exporting = undefined;
      if (this.#queued > 0) this.#schedule();
    });
  }
}
