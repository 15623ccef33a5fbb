import { describe, expect, it } from 'vitest';
import { cleanResponseRecord } from './response-head.js';

const head = (...lines: string[]): Buffer[] => lines.map((line) => Buffer.from(line, 'latin1'));

describe('cleanResponseRecord', () => {
  it('reads the usual head into one record, names lower-cased, hop-by-hop fields left out', () => {
    const record = cleanResponseRecord(
      head(
        'Content-Type',
        'application/json',
        'Content-Length',
        '42',
        'X-Custom',
        'a b',
        'Connection',
        'Keep-Alive',
        'Keep-Alive',
        'timeout=5',
      ),
    );
    expect(record).toEqual({ 'content-type': 'application/json', 'content-length': '42', 'x-custom': 'a b' });
  });

  it('leaves a repeated field to the general parser (several Set-Cookie lines)', () => {
    expect(cleanResponseRecord(head('set-cookie', 'a=1', 'Set-Cookie', 'b=2'))).toBeUndefined();
  });

  it('leaves a Connection that names other fields to the general parser', () => {
    expect(cleanResponseRecord(head('connection', 'close, x-hop', 'x-hop', '1'))).toBeUndefined();
    expect(cleanResponseRecord(head('connection', 'close', 'x-end', '1'))).toEqual({ 'x-end': '1' });
  });

  it('leaves an announced Trailer and names a plain object already has to the general parser', () => {
    expect(cleanResponseRecord(head('trailer', 'x-checksum'))).toBeUndefined();
    expect(cleanResponseRecord(head('constructor', 'x'))).toBeUndefined();
    expect(cleanResponseRecord(head('__proto__', 'x'))).toBeUndefined();
  });
});
