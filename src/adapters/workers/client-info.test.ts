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
});
