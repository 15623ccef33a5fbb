import { describe, expect, it } from 'vitest';
import {
  buildUpstreamHeaders,
  cleanResponseHeaders,
  compileRequestDrops,
  connectionNamedHeaders,
  HeaderPairs,
  responseHeaderRecord,
  responseHeadersFrom,
} from './headers.js';

const facts = {
  client: { address: '203.0.113.7', protocol: 'https' },
  host: 'gw.example.com',
  requestId: 'req-1',
  clientAddress: { address: '203.0.113.7', chain: ['203.0.113.7'], viaTrustedProxy: false },
};
const plain = compileRequestDrops({ stripAuthorization: false, mappedHeaderNames: [] });

function build(init: [string, string][], drops = plain): Headers {
  return buildUpstreamHeaders(new Headers(init), drops, facts);
}

describe('compileRequestDrops', () => {
  it('drops authorization only when the route strips it', () => {
    expect(plain.has('authorization')).toBe(false);
    expect(
      compileRequestDrops({ stripAuthorization: true, mappedHeaderNames: [] }).has('authorization'),
    ).toBe(true);
  });

  it('lower-cases the names mapping sets', () => {
    const drops = compileRequestDrops({
      stripAuthorization: false,
      mappedHeaderNames: ['X-User-Id', 'x-tenant'],
    });
    expect(drops.has('x-user-id')).toBe(true);
    expect(drops.has('x-tenant')).toBe(true);
  });
});

describe('buildUpstreamHeaders', () => {
  it('removes every hop-by-hop header', () => {
    const headers = build([
      ['connection', 'keep-alive'],
      ['keep-alive', 'timeout=5'],
      ['proxy-connection', 'keep-alive'],
      ['te', 'trailers'],
      ['transfer-encoding', 'chunked'],
      ['upgrade', 'websocket'],
      ['proxy-authorization', 'Basic c2VjcmV0'],
      ['proxy-authenticate', 'Basic'],
      ['trailer', 'x-checksum'],
      ['accept', 'application/json'],
    ]);
    expect([...headers.keys()].sort()).toEqual([
      'accept',
      'forwarded',
      'x-forwarded-for',
      'x-forwarded-host',
      'x-forwarded-port',
      'x-forwarded-proto',
      'x-real-ip',
      'x-request-id',
    ]);
  });

  it('removes the headers Connection names, whatever their case and spacing', () => {
    const headers = build([
      ['connection', 'Keep-Alive , X-Secret-Hop,x-other, bad token'],
      ['x-secret-hop', '1'],
      ['x-other', '2'],
      ['x-kept', '3'],
    ]);
    expect(headers.get('x-secret-hop')).toBeNull();
    expect(headers.get('x-other')).toBeNull();
    expect(headers.get('x-kept')).toBe('3');
  });

  it('drops Host: the upstream authority is used', () => {
    expect(build([['host', 'evil.example']]).has('host')).toBe(false);
  });

  it('replaces every forwarding header with what the gateway decided (the edge by default)', () => {
    const headers = build([
      ['x-forwarded-for', '10.0.0.1, 10.0.0.2'],
      ['x-forwarded-proto', 'http'],
      ['x-forwarded-host', 'spoofed.example'],
      ['x-forwarded-port', '1'],
      ['x-real-ip', '10.9.9.9'],
      ['forwarded', 'for=10.0.0.1;proto=http'],
    ]);
    expect(headers.get('x-forwarded-for')).toBe('203.0.113.7');
    expect(headers.get('x-real-ip')).toBe('203.0.113.7');
    expect(headers.get('x-forwarded-proto')).toBe('https');
    expect(headers.get('x-forwarded-host')).toBe('gw.example.com');
    expect(headers.get('x-forwarded-port')).toBe('443');
    expect(headers.get('forwarded')).toBe('for=203.0.113.7;host=gw.example.com;proto=https');
  });

  it('leaves out forwarding headers the gateway does not know', () => {
    const headers = buildUpstreamHeaders(new Headers(), plain, {
      client: { address: '', protocol: 'http' },
      host: '',
      requestId: 'req-9',
      clientAddress: { address: '', chain: [], viaTrustedProxy: false },
    });
    expect(headers.get('x-request-id')).toBe('req-9');
    expect(headers.has('x-forwarded-for')).toBe(false);
    expect(headers.has('x-forwarded-host')).toBe(false);
    expect(headers.get('x-forwarded-proto')).toBe('http');
  });

  it('forwards Authorization unless the route strips it (compat row 17)', () => {
    expect(build([['authorization', 'Bearer t']]).get('authorization')).toBe('Bearer t');
    const strip = compileRequestDrops({ stripAuthorization: true, mappedHeaderNames: [] });
    expect(build([['authorization', 'Bearer t']], strip).has('authorization')).toBe(false);
  });

  it('removes client values of the headers mapping sets', () => {
    const drops = compileRequestDrops({ stripAuthorization: false, mappedHeaderNames: ['X-User-Id'] });
    const headers = build(
      [
        ['X-User-Id', 'admin'],
        ['x-other', 'kept'],
      ],
      drops,
    );
    expect(headers.has('x-user-id')).toBe(false);
    expect(headers.get('x-other')).toBe('kept');
  });

  it('drops Expect: the gateway already handled 100-continue on its own hop', () => {
    expect(build([['expect', '100-continue']]).has('expect')).toBe(false);
  });

  it('keeps end-to-end headers and their values', () => {
    const headers = build([
      ['accept', 'application/json'],
      ['cookie', 'a=1; b=2'],
      ['content-type', 'text/plain'],
      ['content-length', '5'],
    ]);
    expect(headers.get('cookie')).toBe('a=1; b=2');
    expect(headers.get('content-length')).toBe('5');
    expect(headers.get('content-type')).toBe('text/plain');
  });
});

describe('connectionNamedHeaders', () => {
  it('is undefined for the usual values', () => {
    expect(connectionNamedHeaders(null)).toBeUndefined();
    expect(connectionNamedHeaders('keep-alive')).toBeUndefined();
    expect(connectionNamedHeaders('Close')).toBeUndefined();
    expect(connectionNamedHeaders(' , ')).toBeUndefined();
  });
});

describe('cleanResponseHeaders', () => {
  it('removes hop-by-hop and Connection-named headers, keeps the rest', () => {
    const headers = new Headers([
      ['connection', 'x-hop'],
      ['x-hop', '1'],
      ['keep-alive', 'timeout=5'],
      ['transfer-encoding', 'chunked'],
      ['trailer', 'x-sum'],
      ['upgrade', 'h2c'],
      ['proxy-authenticate', 'Basic'],
      ['content-type', 'application/json'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    cleanResponseHeaders(headers);
    expect([...headers.keys()].sort()).toEqual(['content-type', 'set-cookie', 'set-cookie']);
    expect(headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });

  it('throws TypeError on immutable headers (forward.ts copies those)', () => {
    expect(() => cleanResponseHeaders(Response.error().headers)).toThrow(TypeError);
  });
});

describe('responseHeadersFrom', () => {
  it('builds headers without hop-by-hop ones and keeps repeated values apart', () => {
    const headers = responseHeadersFrom({
      'content-type': 'application/json',
      connection: 'keep-alive, x-hop',
      'keep-alive': 'timeout=5',
      'x-hop': 'gone',
      'set-cookie': ['a=1; Path=/', 'b=2; HttpOnly'],
      'x-missing': undefined,
    });
    expect([...headers.keys()].sort()).toEqual(['content-type', 'set-cookie', 'set-cookie']);
    expect(headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
  });

  it('returns headers that cleaning leaves alone and that stay mutable', () => {
    const headers = responseHeadersFrom({ 'x-a': '1' });
    cleanResponseHeaders(headers);
    headers.set('x-request-id', 'r1');
    expect(headers.get('x-request-id')).toBe('r1');
  });
});

describe('responseHeaderRecord', () => {
  it('keeps end-to-end headers as a plain record, without hop-by-hop or Connection-named ones', () => {
    expect(
      responseHeaderRecord({
        'content-type': 'application/json',
        connection: 'x-hop',
        'x-hop': 'secret',
        'keep-alive': 'timeout=5',
        'content-length': '2',
      }),
    ).toEqual({ 'content-type': 'application/json', 'content-length': '2' });
  });

  it('gives up on repeated headers (several Set-Cookie lines), which need the Headers form', () => {
    expect(responseHeaderRecord({ 'set-cookie': ['a=1', 'b=2'] })).toBeUndefined();
  });
});

describe('HeaderPairs', () => {
  it('sets, appends, reads and deletes on the pair list as Headers would', () => {
    const list = ['accept', 'a/b', 'x-tag', 'one', 'x-tag', 'two'];
    const pairs = new HeaderPairs(list);
    expect(pairs.get('X-Tag')).toBe('one, two');
    pairs.set('X-Tag', ' \tthree\t ');
    expect(list).toEqual(['accept', 'a/b', 'x-tag', 'three']);
    pairs.append('Traceparent', '00-abc-01');
    pairs.append('x-tag', 'four');
    expect(pairs.get('x-tag')).toBe('three, four');
    expect(pairs.get('missing')).toBeNull();
    pairs.delete('X-TAG');
    expect(list).toEqual(['accept', 'a/b', 'traceparent', '00-abc-01']);
    // The same values a Headers object holds after the same calls.
    const headers = new Headers([['accept', 'a/b']]);
    headers.set('traceparent', '00-abc-01');
    expect([...headers]).toEqual([
      ['accept', 'a/b'],
      ['traceparent', '00-abc-01'],
    ]);
  });

  it('keeps a value without surrounding whitespace as the same string', () => {
    const list: string[] = [];
    const value = 'vendor=bench';
    new HeaderPairs(list).set('tracestate', value);
    expect(list[1]).toBe(value);
  });
});
