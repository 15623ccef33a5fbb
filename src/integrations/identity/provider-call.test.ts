import { describe, expect, it } from 'vitest';
import { callProvider, readCappedText } from './provider-call.js';

const never = new AbortController().signal;

/** A fetch that answers only when its signal aborts (then rejects with the reason), like a silent server. */
const silentFetch: typeof fetch = (_input, init) =>
  new Promise((_resolve, reject) => {
    const signal = init?.signal;
    signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });

describe('callProvider', () => {
  it('reads the answer of any status', async () => {
    const result = await callProvider((f) => f('https://p.example/x'), {
      fetch: () =>
        Promise.resolve(
          new Response('{"error":"invalid_grant"}', {
            status: 400,
            headers: { 'content-type': 'application/json' },
          }),
        ),
      timeoutMs: 1000,
      signal: never,
    });
    expect(result).toEqual({
      kind: 'answer',
      status: 400,
      contentType: 'application/json',
      text: '{"error":"invalid_grant"}',
    });
  });

  it('asks fetch not to follow redirects', async () => {
    let redirect: RequestRedirect | undefined;
    await callProvider((f) => f('https://p.example/x'), {
      fetch: (_input, init) => {
        redirect = init?.redirect;
        return Promise.resolve(new Response(null, { status: 302, headers: { location: '/elsewhere' } }));
      },
      timeoutMs: 1000,
      signal: never,
    });
    expect(redirect).toBe('manual');
  });

  it('a deadline reached is a timeout; a rejected fetch is unreachable', async () => {
    const timedOut = await callProvider((f) => f('https://p.example/x'), {
      fetch: silentFetch,
      timeoutMs: 30,
      signal: never,
    });
    expect(timedOut).toMatchObject({ kind: 'unreachable', timedOut: true });
    const refused = await callProvider((f) => f('https://p.example/x'), {
      fetch: () => Promise.reject(new TypeError('fetch failed')),
      timeoutMs: 1000,
      signal: never,
    });
    expect(refused).toEqual({ kind: 'unreachable', timedOut: false, reason: 'fetch failed' });
  });

  it('the client going away stops the call', async () => {
    const client = new AbortController();
    const pending = callProvider((f) => f('https://p.example/x'), {
      fetch: silentFetch,
      timeoutMs: 10_000,
      signal: client.signal,
    });
    client.abort();
    expect(await pending).toMatchObject({ kind: 'unreachable', timedOut: false });
  });

  it('a body over the cap is not read to the end', async () => {
    const result = await callProvider((f) => f('https://p.example/x'), {
      fetch: () => Promise.resolve(new Response('x'.repeat(2000))),
      timeoutMs: 1000,
      signal: never,
      maxBytes: 1000,
    });
    expect(result).toEqual({ kind: 'too_large', status: 200 });
  });

  it('errors of the caller (not of fetch) propagate', async () => {
    await expect(
      callProvider(() => Promise.reject(new Error('library refused its arguments')), {
        fetch: silentFetch,
        timeoutMs: 1000,
        signal: never,
      }),
    ).rejects.toThrow('library refused its arguments');
  });
});

describe('readCappedText', () => {
  it('decodes UTF-8 across chunk boundaries', async () => {
    const bytes = new TextEncoder().encode('é€😀');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    expect(await readCappedText({ body }, 100)).toBe('é€😀');
    expect(await readCappedText({ body: null }, 100)).toBe('');
  });
});
