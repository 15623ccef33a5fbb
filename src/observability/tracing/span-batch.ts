import type { Envelope } from './otlp-json.js';

const encoder = new TextEncoder();
const COMMA = 0x2c;
/** Room for a batch's first spans; it doubles when a span does not fit. */
const INITIAL_BYTES = 16 * 1024;

/**
 * One export batch as the UTF-8 bytes of its OTLP JSON body, written as spans end: the
 * envelope's prefix, the span texts separated by commas, and the suffix when the batch is sealed.
 * A queued span is then a few hundred bytes outside the JavaScript heap rather than a string the
 * garbage collector traces until the export, and the body goes out as it is: no join of the span
 * texts, no second encoding of a string of hundreds of kilobytes by the HTTP client (measured:
 * those two were nearly all of a batch export's CPU, docs/BENCHMARKS.md "Tracing export in bytes").
 */
export class SpanBatch {
  #bytes: Uint8Array<ArrayBuffer>;
  #length: number;
  #spans = 0;
  #sealed = false;

  constructor(
    private readonly envelope: EncodedEnvelope,
    capacity = INITIAL_BYTES,
  ) {
    this.#bytes = new Uint8Array(Math.max(capacity, envelope.prefix.length + envelope.suffix.length + 1));
    this.#bytes.set(envelope.prefix);
    this.#length = envelope.prefix.length;
  }

  get spans(): number {
    return this.#spans;
  }

  /** Appends one span's JSON text. */
  add(spanText: string): void {
    if (this.#sealed) throw new Error('span batch already sealed');
    if (this.#spans > 0) {
      this.#reserve(1);
      this.#bytes[this.#length++] = COMMA;
    }
    // Room for one byte per character (span texts are mostly ASCII); what did not fit (multi-byte
    // characters) gets room for its worst case, three bytes per UTF-16 unit, and is written on.
    let rest = spanText;
    this.#reserve(rest.length);
    for (;;) {
      const { read, written } = encoder.encodeInto(rest, this.#bytes.subarray(this.#length));
      this.#length += written;
      if (read === rest.length) break;
      rest = rest.slice(read);
      this.#reserve(rest.length * 3);
    }
    this.#spans++;
  }

  /** Closes the body with the envelope's suffix and returns it (a view, not a copy). */
  seal(): Uint8Array<ArrayBuffer> {
    if (!this.#sealed) {
      this.#reserve(this.envelope.suffix.length);
      this.#bytes.set(this.envelope.suffix, this.#length);
      this.#length += this.envelope.suffix.length;
      this.#sealed = true;
    }
    return this.#bytes.subarray(0, this.#length);
  }

  #reserve(bytes: number): void {
    const needed = this.#length + bytes;
    if (needed <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }
}

/** An envelope's prefix and suffix as UTF-8 bytes, encoded once. */
export interface EncodedEnvelope {
  readonly prefix: Uint8Array;
  readonly suffix: Uint8Array;
}

export function encodeEnvelope(envelope: Envelope): EncodedEnvelope {
  return { prefix: encoder.encode(envelope.prefix), suffix: encoder.encode(envelope.suffix) };
}
