import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectBadRequestNothingForwarded, startPublicProxy, type HostileSetup } from './harness.js';

/**
 * Class: request-targets carrying what no request-target may (RFC 9112 §3.2): a fragment (`#`),
 * and percent-encoded control characters (`%0d`, `%0a`, `%00`, any of %00-%1F and %7F) that a
 * naive upstream decodes into header splitting or log injection. All are 400, nothing forwarded.
 */
let gw: HostileSetup;

beforeAll(async () => {
  gw = await startPublicProxy();
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

describe('fragments and encoded control characters', () => {
  it.each([
    '/public/x#frag',
    '/public/x?a=1#frag',
    '/public/#',
    '/public/x%0d%0aSet-Cookie:%20a=1',
    '/public/x%0D',
    '/public/x%0a',
    '/public/x%00',
    '/public/x%09y',
    '/public/x%1f',
    '/public/x%7F',
  ])('%s is 400 with the catalogue body and nothing is forwarded', (target) =>
    expectBadRequestNothingForwarded(gw, target),
  );

  it.each([
    '/public/%252e%252e/admin',
    '/public/a%252fb',
    '/public/a%255cb',
    '/public/a%253b/x',
    '/public/%c0%ae%c0%ae/admin',
    '/public/%C1%9C',
    '/public/%ff',
  ])('%s (double-encoded separator, or a byte no UTF-8 has) is 400, nothing forwarded', (target) =>
    expectBadRequestNothingForwarded(gw, target),
  );

  it('an encoded `#` (%23) is data, not a fragment: forwarded as sent', async () => {
    const response = await gw.send('GET', '/public/a%23b');
    expect(response.status).toBe(200);
    expect(gw.upstream.requests[0]?.url).toBe('/a%23b');
  });
});
