/**
 * CIDR ranges (`10.0.0.0/8`, `2001:db8::/32`, or a single address) parsed once at compile time
 * into byte prefixes, so that testing an address is a few byte comparisons. IPv4-mapped IPv6
 * addresses (`::ffff:10.1.2.3`, what a dual-stack Node socket reports) count as their IPv4 form.
 */
export interface IpRanges {
  readonly size: number;
  contains(address: string): boolean;
}

interface Range {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

/** Parses each range, or returns the problem with the first bad one (for config validation). */
export function parseIpRanges(cidrs: readonly string[]): IpRanges | { error: string; index: number } {
  const ranges: Range[] = [];
  for (const [index, cidr] of cidrs.entries()) {
    const slash = cidr.indexOf('/');
    const bytes = parseIp(slash === -1 ? cidr : cidr.slice(0, slash));
    if (bytes === undefined) return { error: `"${cidr}" is not an IP address or CIDR range`, index };
    const maxBits = bytes.length * 8;
    const bits = slash === -1 ? maxBits : Number(cidr.slice(slash + 1));
    if (
      !Number.isInteger(bits) ||
      bits < 0 ||
      bits > maxBits ||
      (slash !== -1 && !/^\d+$/.test(cidr.slice(slash + 1)))
    )
      return { error: `"${cidr}" has an invalid prefix length (0-${maxBits})`, index };
    ranges.push({ bytes, bits });
  }
  return {
    size: ranges.length,
    contains(address) {
      if (ranges.length === 0) return false;
      const bytes = parseIp(address);
      if (bytes === undefined) return false;
      return ranges.some((range) => inRange(bytes, range));
    },
  };
}

export const NO_RANGES: IpRanges = { size: 0, contains: () => false };

function inRange(bytes: Uint8Array, range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false;
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] as number) & mask) !== ((range.bytes[i] as number) & mask)) return false;
  }
  return true;
}

/** 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 for IPv6; undefined when not an address. */
export function parseIp(text: string): Uint8Array | undefined {
  if (text.includes(':')) {
    const v6 = parseIpv6(text);
    if (v6 === undefined) return undefined;
    const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
    return mapped ? v6.slice(12) : v6;
  }
  return parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    bytes[i] = Number(part);
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  let tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : (halves[0] as string).split(':');
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] as string).split(':')) : [];
  const groups =
    halves.length === 2
      ? [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest]
      : head;
  if (groups.length !== 8 || (halves.length === 2 && head.length + rest.length > 7)) return undefined;
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const group = groups[i] as string;
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  }
  if (tail) bytes.set(tail, 12);
  return bytes;
}
