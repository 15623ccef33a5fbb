import { describe, expect, it } from 'vitest';
import { cookieValues, createTransactionCookies, transactionCookieName } from './transaction-cookie.js';

function cookies(options: { secret?: string; context?: string; clock?: { now: number } } = {}) {
  const clock = options.clock ?? { now: Date.UTC(2026, 0, 1) };
  return createTransactionCookies({
    name: 'gatehouse_auth0',
    secret: options.secret ?? 'client-secret-of-the-test-tenant',
    context: options.context ?? 'https://tenant.auth0.com/|client',
    maxAgeSeconds: 600,
    now: () => clock.now,
  });
}

/** `name=value` of a Set-Cookie line, as the browser sends it back. */
const sent = (setCookie: string) => setCookie.split(';')[0] ?? '';

describe('transaction cookies', () => {
  const transaction = { state: 'state-123', verifier: 'v'.repeat(43) };

  it('round-trips state and verifier', async () => {
    const jar = cookies();
    const setCookie = await jar.issue(transaction, false);
    expect(await jar.read(`other=1; ${sent(setCookie)}`)).toEqual([transaction]);
  });

  it('writes the documented attributes', async () => {
    const jar = cookies();
    expect((await jar.issue(transaction, false)).split('; ').slice(1)).toEqual([
      'Path=/',
      'Max-Age=600',
      'HttpOnly',
      'SameSite=Lax',
    ]);
    expect(await jar.issue(transaction, true)).toMatch(/; Secure$/);
    expect(jar.clear(true)).toBe('gatehouse_auth0=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure');
  });

  it('expires after max age', async () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const jar = cookies({ clock });
    const header = sent(await jar.issue(transaction, false));
    clock.now += 599_000;
    expect(await jar.read(header)).toHaveLength(1);
    clock.now += 1_000;
    expect(await jar.read(header)).toEqual([]);
  });

  it('refuses cookies signed for another client secret or tenant', async () => {
    const header = sent(await cookies().issue(transaction, false));
    expect(await cookies({ secret: 'another-secret-another-secret' }).read(header)).toEqual([]);
    expect(await cookies({ context: 'https://other.auth0.com/|client' }).read(header)).toEqual([]);
  });

  it('refuses altered payloads and signatures, and garbage', async () => {
    const jar = cookies();
    const value = sent(await jar.issue(transaction, false)).slice('gatehouse_auth0='.length);
    const [payload = '', signature = ''] = value.split('.');
    const altered = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), s: 'evil' }),
    ).toString('base64url');
    for (const bad of [
      `${altered}.${signature}`,
      `${payload}.${signature.slice(1)}`,
      `${payload}.`,
      `${payload}.${signature}.x`,
      '..',
      '%%%.***',
    ]) {
      expect(await jar.read(`gatehouse_auth0=${bad}`)).toEqual([]);
    }
  });

  it('finds the valid one among duplicates', async () => {
    const jar = cookies();
    const good = sent(await jar.issue(transaction, false));
    expect(await jar.read(`gatehouse_auth0=junk.junk; ${good}`)).toEqual([transaction]);
  });
});

describe('cookieValues', () => {
  it('reads every value of a name, unquoting', () => {
    expect(cookieValues('a=1; b=2; a="3"; ab=4; a=', 'a')).toEqual(['1', '3']);
    expect(cookieValues(null, 'a')).toEqual([]);
  });
});

describe('transactionCookieName', () => {
  it('is per authorizer, with a safe name', () => {
    expect(transactionCookieName('default')).toBe('gatehouse_auth0');
    expect(transactionCookieName('eu login;x')).toBe('gatehouse_auth0_eu_login_x');
  });
});
