import { describe, expect, it } from 'vitest';
import { encodeEnvelope, SpanBatch } from './span-batch.js';

const envelope = encodeEnvelope({ prefix: '{"spans":[', suffix: ']}' });
const decode = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

describe('a span batch in bytes', () => {
  it('is the envelope around the span texts, separated by commas', () => {
    const batch = new SpanBatch(envelope);
    batch.add('{"name":"a"}');
    batch.add('{"name":"b"}');
    expect(batch.spans).toBe(2);
    expect(decode(batch.seal())).toEqual({ spans: [{ name: 'a' }, { name: 'b' }] });
  });

  it('grows past its first capacity and keeps multi-byte UTF-8 intact', () => {
    const batch = new SpanBatch(envelope, 16);
    const names = Array.from({ length: 200 }, (_, i) => `ünïcødé ${i} 🚀 ${'x'.repeat(i)}`);
    for (const name of names) batch.add(JSON.stringify({ name }));
    expect(decode(batch.seal())).toEqual({ spans: names.map((name) => ({ name })) });
  });

  it('is sealed once: sealing again returns the same body, adding throws', () => {
    const batch = new SpanBatch(envelope);
    batch.add('{}');
    const body = batch.seal();
    expect(batch.seal()).toEqual(body);
    expect(() => batch.add('{}')).toThrow(/sealed/);
  });
});
