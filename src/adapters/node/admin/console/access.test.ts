import { describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../../../../config/problems.js';
import { assertConsoleAccess, ConsoleAccess, isLoopbackHost, SESSION_COOKIE } from './access.js';

describe('console access', () => {
  it('knows loopback addresses from the others', () => {
    for (const host of ['127.0.0.1', '127.8.9.1', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.5',
      '192.168.1.2',
      'gateway.internal',
      '::ffff:10.0.0.1',
      '128.0.0.1',
    ])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it('refuses a console off loopback without a token, as a config problem', () => {
    expect(() => assertConsoleAccess('0.0.0.0', undefined)).toThrow(ConfigInvalidError);
    expect(() => assertConsoleAccess('0.0.0.0', 'a-token-of-16-chars')).not.toThrow();
    expect(() => assertConsoleAccess('127.0.0.1', undefined)).not.toThrow();
  });

  it('accepts the bearer token or the session cookie, and nothing else', () => {
    const access = new ConsoleAccess('the-admin-token-0123456789');
    const request = (headers: Record<string, string>) => new Request('http://admin/api/routes', { headers });
    expect(access.allows(request({}))).toBe(false);
    expect(access.allows(request({ authorization: 'Bearer the-admin-token-0123456789' }))).toBe(true);
    expect(access.allows(request({ authorization: 'Bearer the-admin-token-012345678' }))).toBe(false);
    expect(access.allows(request({ authorization: 'Basic the-admin-token-0123456789' }))).toBe(false);
    const cookie = access.sessionCookie().split(';')[0] as string;
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
    expect(cookie).not.toContain('the-admin-token');
    expect(access.allows(request({ cookie: `other=1; ${cookie}` }))).toBe(true);
    expect(access.allows(request({ cookie: `${SESSION_COOKIE}=forged` }))).toBe(false);
    // Another token's session is not this one's.
    const other = new ConsoleAccess('another-admin-token-0123456789').sessionCookie().split(';')[0] as string;
    expect(access.allows(request({ cookie: other }))).toBe(false);
    expect(new ConsoleAccess(undefined).allows(request({}))).toBe(true);
  });
});
