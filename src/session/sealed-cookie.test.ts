import { describe, expect, it } from 'vitest';
import { CHUNK_LENGTH, createSealedCookies } from './sealed-cookie.js';

const options = { name: 'sid', secret: 'k'.repeat(40), context: 'session|https://id.example|web' };
const NOW = Date.UTC(2026, 11, 1);
const header = (lines: string[]) => lines.map((line) => line.split(';')[0]).join('; ');

describe('sealed cookies', () => {
  it('round-trips a payload, HttpOnly, SameSite=Lax, with Max-Age from the expiry', async () => {
    const cookies = createSealedCookies(options);
    const lines = await cookies.seal({ a: 1 }, NOW + 60_000, NOW, false, null);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^sid=[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=60; HttpOnly; SameSite=Lax$/,
    );
    expect(await cookies.open(header(lines), NOW)).toEqual({ a: 1 });
  });

  it('is unreadable after its expiry, with another key or context, or when altered', async () => {
    const cookies = createSealedCookies(options);
    const value = header(await cookies.seal({ a: 1 }, NOW + 60_000, NOW, true, null));
    expect(await cookies.open(value, NOW + 60_000)).toBeUndefined();
    expect(
      await createSealedCookies({ ...options, secret: 'j'.repeat(40) }).open(value, NOW),
    ).toBeUndefined();
    expect(
      await createSealedCookies({ ...options, context: 'session|other|web' }).open(value, NOW),
    ).toBeUndefined();
    // One character of the IV changed (a whole 6-bit group: never only padding bits).
    const at = value.indexOf('..') + 3;
    const altered = value.slice(0, at) + (value[at] === 'A' ? 'B' : 'A') + value.slice(at + 1);
    expect(await cookies.open(altered, NOW)).toBeUndefined();
  });

  it('splits a large value into numbered parts, joins them, and clears parts a shorter value left', async () => {
    const cookies = createSealedCookies(options);
    const large = await cookies.seal({ blob: 'x'.repeat(CHUNK_LENGTH * 2) }, NOW + 60_000, NOW, false, null);
    expect(large.map((l) => l.split('=')[0])).toEqual(['sid.0', 'sid.1', 'sid.2']);
    expect(large.every((l) => (l.split(';')[0] ?? '').length <= CHUNK_LENGTH + 10)).toBe(true);
    expect(await cookies.open(header(large), NOW)).toEqual({ blob: 'x'.repeat(CHUNK_LENGTH * 2) });

    const small = await cookies.seal({ a: 1 }, NOW + 60_000, NOW, false, header(large));
    expect(small.map((l) => l.split(';')[0]?.replace(/=.+$/, '=…'))).toEqual([
      'sid=…',
      'sid.0=',
      'sid.1=',
      'sid.2=',
    ]);
    expect(small.slice(1).every((l) => l.includes('Max-Age=0'))).toBe(true);
  });

  it('Secure on https and always for __Host- names', async () => {
    expect((await createSealedCookies(options).seal({}, NOW + 1000, NOW, true, null))[0]).toContain(
      '; Secure',
    );
    const host = createSealedCookies({ ...options, name: '__Host-sid' });
    expect((await host.seal({}, NOW + 1000, NOW, false, null))[0]).toContain('; Secure');
  });
});
