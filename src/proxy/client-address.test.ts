import { describe, expect, it } from 'vitest';
import { resolveClientAddress } from './client-address.js';
import { NO_RANGES, parseIpRanges, type IpRanges } from './ip-ranges.js';

function ranges(cidrs: string[]): IpRanges {
  const parsed = parseIpRanges(cidrs);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}
const headers = (init: Record<string, string>): Headers => new Headers(init);

describe('resolveClientAddress', () => {
  it('is the peer at the edge, whatever the headers say', () => {
    expect(
      resolveClientAddress('198.51.100.1', headers({ 'x-forwarded-for': '1.1.1.1' }), NO_RANGES),
    ).toEqual({
      address: '198.51.100.1',
      chain: ['198.51.100.1'],
      viaTrustedProxy: false,
    });
  });

  it('is the peer when the peer is not trusted', () => {
    const trusted = ranges(['10.0.0.0/8']);
    expect(
      resolveClientAddress('198.51.100.1', headers({ 'x-forwarded-for': '1.1.1.1' }), trusted).address,
    ).toBe('198.51.100.1');
  });

  it('walks X-Forwarded-For right to left over trusted hops', () => {
    const trusted = ranges(['10.0.0.0/8', '192.168.1.1']);
    const resolved = resolveClientAddress(
      '::ffff:192.168.1.1',
      headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.5 , 10.2.3.4' }),
      trusted,
    );
    expect(resolved).toEqual({
      address: '203.0.113.5',
      chain: ['203.0.113.5', '10.2.3.4', '192.168.1.1'],
      viaTrustedProxy: true,
    });
  });

  it('takes the leftmost hop when every hop is trusted', () => {
    const trusted = ranges(['10.0.0.0/8']);
    expect(
      resolveClientAddress('10.0.0.1', headers({ 'x-forwarded-for': '10.9.9.9' }), trusted).address,
    ).toBe('10.9.9.9');
  });

  it('reads Forwarded for= nodes, quoted, bracketed, with ports', () => {
    const trusted = ranges(['10.0.0.0/8']);
    const resolved = resolveClientAddress(
      '10.0.0.1',
      headers({ forwarded: 'for=192.0.2.60:8080;proto=http, for="[2001:db8:cafe::17]:4711"' }),
      trusted,
    );
    expect(resolved.address).toBe('2001:db8:cafe::17');
  });

  it('matches IPv6 ranges and refuses invalid ones', () => {
    expect(ranges(['2001:db8::/32']).contains('2001:db8:1::5')).toBe(true);
    expect(ranges(['2001:db8::/32']).contains('2001:db9::5')).toBe(false);
    expect(ranges(['::1']).contains('::1')).toBe(true);
    expect(parseIpRanges(['10.0.0.0/8', 'nope'])).toMatchObject({ index: 1 });
    expect(parseIpRanges(['10.0.0.0/40'])).toMatchObject({ index: 0 });
    expect(parseIpRanges(['1.2.3.256'])).toMatchObject({ index: 0 });
  });
});
