/**
 * Trace and span ids: random bytes as lowercase hex (W3C Trace Context Level 2 asks for random
 * trace ids, which is also what `traceidratio` sampling relies on). The bytes come from the
 * runtime's `crypto.getRandomValues` (Node and Workers alike), 4 KiB at a time, so one id costs
 * a few table look-ups rather than a call into the random source.
 */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const POOL_BYTES = 4096;

export class RandomIds {
  readonly #pool = new Uint8Array(POOL_BYTES);
  #next = POOL_BYTES;

  /** 32 hex digits, never all zero. */
  traceId(): string {
    return this.#hex(16);
  }

  /** 16 hex digits, never all zero. */
  spanId(): string {
    return this.#hex(8);
  }

  #hex(bytes: number): string {
    for (;;) {
      if (this.#next + bytes > POOL_BYTES) {
        crypto.getRandomValues(this.#pool);
        this.#next = 0;
      }
      let id = '';
      let any = 0;
      for (let i = 0; i < bytes; i++) {
        const byte = this.#pool[this.#next++] as number;
        any |= byte;
        id += HEX[byte] as string;
      }
      // An all-zero id is invalid (W3C Trace Context §3.2.2.3, §3.2.2.4): draw again.
      if (any !== 0) return id;
    }
  }
}
