import { describe, expect, it } from 'vitest';
import { MemoryStore, type CachedResponse } from './memory-store.js';

/** An entry of about `bytes` bytes (the store counts the body plus 64 and its header text). */
function entry(body: string, vary: { names?: string[]; values?: (string | null)[] } = {}): CachedResponse {
  return {
    status: 200,
    headers: {},
    body,
    bodyBytes: body.length,
    storedAt: 0,
    lifetimeMs: 60_000,
    staleWhileRevalidateMs: 0,
    staleIfErrorMs: 0,
    varyNames: vary.names ?? [],
    varyValues: vary.values ?? [],
  };
}

const noHeaders = { get: () => null };

describe('MemoryStore', () => {
  it('evicts the least recently used key, also when the same key is hit again and again', () => {
    // Room for three entries of 100 + 64 bytes.
    const store = new MemoryStore(3 * 164);
    store.put('a', entry('a'.repeat(100)));
    store.put('b', entry('b'.repeat(100)));
    store.put('c', entry('c'.repeat(100)));
    // `a` becomes the newest; hitting it again (the key already newest) must keep it so.
    for (let i = 0; i < 3; i++) expect(store.find('a', noHeaders)?.body).toBe('a'.repeat(100));
    store.put('d', entry('d'.repeat(100)));
    expect(store.find('b', noHeaders)).toBeUndefined();
    // The put made `d` the newest, so hitting `a` moves it again: then `c`, and `d` is the oldest.
    expect(store.find('a', noHeaders)).toBeDefined();
    expect(store.find('c', noHeaders)).toBeDefined();
    store.put('e', entry('e'.repeat(100)));
    expect(store.find('d', noHeaders)).toBeUndefined();
    expect(['a', 'c', 'e'].every((key) => store.find(key, noHeaders) !== undefined)).toBe(true);
    expect(store.size).toBeLessThanOrEqual(3 * 164);
  });

  it('finds the variant whose Vary-ed request headers match, through any header reader', () => {
    const store = new MemoryStore(10_000);
    store.put('k', entry('en', { names: ['accept-language'], values: ['en'] }));
    store.put('k', entry('none', { names: ['accept-language'], values: [null] }));
    const reader = (value: string | null) => ({
      get: (name: string) => (name === 'accept-language' ? value : null),
    });
    expect(store.find('k', reader('en'))?.body).toBe('en');
    expect(store.find('k', reader(null))?.body).toBe('none');
    expect(store.find('k', reader('fr'))).toBeUndefined();
  });
});
