/**
 * Reads a body whole, but never more than `maxBytes` of it: undefined once the cap is passed
 * (the rest is not read, the stream is cancelled). The one bounded reader of the gateway's
 * control-plane calls (key sets, identity providers) and of the flows' small request bodies.
 * Errors of the stream itself (an abort, a reset) are thrown as they come, for the caller to
 * classify.
 */
export async function readCappedBytes(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Not awaited: a stalled stream must not hold the caller past its own deadline.
      reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  return concatBytes(chunks, total);
}

/** The chunks of a body read piecewise, as one array of `total` bytes. */
export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
