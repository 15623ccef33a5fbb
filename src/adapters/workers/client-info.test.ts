import { describe, expect, it } from 'vitest';
import { clientInfoFor } from './client-info.js';

const info = (headers: Record<string, string>, url = 'https://gw.test/x') =>
  clientInfoFor(new Request(url, { headers }));

describe('Workers client info', () => {
  it('takes the address from CF-Connecting-IP and the protocol from the URL', () => {
    expect(info({ 'cf-connecting-ip': '203.0.113.9' })).toMatchObject({
      address: '203.0.113.9',
      protocol: 'https',
    });
    expect(info({}, 'http://gw.test/x')).toMatchObject({ address: '', protocol: 'http' });
  });

  it.each(['Bearer a, Bearer b', 'Basic YTpi, Bearer x', 'Bearer a,  Bearer b'])(
    'flags %s (two Authorization headers, joined) as malformed',
    (value) => {
      expect(info({ authorization: value }).malformed).toBe('duplicate Authorization header');
    },
  );

  it.each([
    'Bearer abc.def.ghi',
    'Digest username="a", realm="r", nonce="n"',
    'Digest realm = "r", nonce="n"',
    'Digest username="x, y z", realm="r"',
  ])('accepts the single value %s', (value) => {
    expect(info({ authorization: value }).malformed).toBeUndefined();
  });

  it('lists the request headers as lower-case name/value pairs for the proxy', () => {
    const headers = new Headers([
      ['X-Kept', 'yes'],
      ['Accept', 'a/b'],
      ['accept', 'c/d'],
    ]);
    expect(clientInfoFor(new Request('https://gw.test/x', { headers })).rawRequestHeaders).toEqual([
      'accept',
      'a/b, c/d',
      'x-kept',
      'yes',
    ]);
  });

  it('reads its headers as Headers.get does, before and after the proxy lists them', () => {
    const request = new Request('https://gw.test/x', {
      headers: [
        ['Authorization', 'Bearer abc.def.ghi'],
        ['Accept', 'a/b'],
        ['accept', 'c/d'],
        ['Connection', 'x-private'],
      ],
    });
    const client = clientInfoFor(request);
    const reader = client.requestHeaders!;
    const names = ['authorization', 'Accept', 'connection', 'x-absent'];
    const expected = names.map((name) => request.headers.get(name));
    expect(expected).toEqual(['Bearer abc.def.ghi', 'a/b, c/d', 'x-private', null]);
    expect(names.map((name) => reader.get(name))).toEqual(expected);
    expect(client.rawRequestHeaders).toBe(client.rawRequestHeaders); // one pass, then kept
    expect(names.map((name) => reader.get(name))).toEqual(expected);
  });

  it('answers from the listed headers once the proxy read them, not from the runtime', () => {
    const request = new Request('https://gw.test/x', { headers: { upgrade: 'websocket' } });
    const client = clientInfoFor(request);
    void client.rawRequestHeaders;
    // Headers of an incoming request cannot change; a stub that throws shows no call reaches it.
    Object.defineProperty(request.headers, 'get', { value: () => expect.unreachable('Headers.get') });
    expect(client.requestHeaders!.get('upgrade')).toBe('websocket');
    expect(client.requestHeaders!.get('content-length')).toBeNull();
  });
});
