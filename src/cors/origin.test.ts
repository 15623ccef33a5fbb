import { describe, expect, it } from 'vitest';
import { compileOriginPolicy, parseAllowedOrigin } from './origin.js';

describe('parseAllowedOrigin', () => {
  it.each([
    ['*', { kind: 'any' }],
    ['https://app.example.com', { kind: 'exact', origin: 'https://app.example.com' }],
    ['HTTPS://App.Example.COM', { kind: 'exact', origin: 'https://app.example.com' }],
    ['https://app.example.com:443', { kind: 'exact', origin: 'https://app.example.com' }],
    ['http://localhost:80', { kind: 'exact', origin: 'http://localhost' }],
    ['http://localhost:3000', { kind: 'exact', origin: 'http://localhost:3000' }],
    ['http://localhost:03000', { kind: 'exact', origin: 'http://localhost:3000' }],
    ['https://app.example.com:80', { kind: 'exact', origin: 'https://app.example.com:80' }],
    ['http://127.0.0.1:8080', { kind: 'exact', origin: 'http://127.0.0.1:8080' }],
    ['http://[::1]:8080', { kind: 'exact', origin: 'http://[::1]:8080' }],
    ['https://xn--bcher-kva.example', { kind: 'exact', origin: 'https://xn--bcher-kva.example' }],
    [
      'https://*.example.com',
      { kind: 'subdomains', prefix: 'https://', suffix: '.example.com', parentLabels: 2 },
    ],
    [
      'https://*.Example.com:8443',
      { kind: 'subdomains', prefix: 'https://', suffix: '.example.com:8443', parentLabels: 2 },
    ],
    [
      'https://*.example.com:443',
      { kind: 'subdomains', prefix: 'https://', suffix: '.example.com', parentLabels: 2 },
    ],
  ])('accepts %s', (entry, expected) => {
    expect(parseAllowedOrigin(entry)).toEqual(expected);
  });

  it.each([
    ['https://app.example.com/', 'path'],
    ['https://app.example.com/app', 'path'],
    ['https://app.example.com?x=1', 'query'],
    ['https://app.example.com#top', 'fragment'],
    ['https://user@app.example.com', 'user information'],
    ['app.example.com', 'scheme://host'],
    ['null', 'scheme://host'],
    ['ftp://app.example.com', 'http or https'],
    ['file:///etc/passwd', 'http or https'],
    ['https://', 'invalid host'],
    ['https://:443', 'invalid host'],
    ['https://app.example.com:', 'invalid port'],
    ['https://app.example.com:0', 'invalid port'],
    ['https://app.example.com:65536', 'invalid port'],
    ['https://app.example.com:*', 'invalid port'],
    ['https://app..example.com', 'invalid host'],
    ['https://app.example.com.', 'invalid host'],
    ['https://bücher.example', 'punycode'],
    ['https://app_1.example.com', 'invalid host'],
    ['https://[::1', 'invalid host'],
  ])('refuses %s', (entry, reason) => {
    const parsed = parseAllowedOrigin(entry);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' ? parsed.reason : '').toContain(reason);
  });

  // docs/COMPAT.md row 9: `*` only ever stands for leading subdomain labels.
  it.each([
    'https://example.*',
    'https://*example.com',
    'https://a*.example.com',
    'https://a.*.example.com',
    'https://*.*.example.com',
    'https://**.example.com',
    'https://*',
    'https://*.',
    '*.example.com',
    'https*://example.com',
  ])('refuses the misplaced wildcard %s', (entry) => {
    expect(parseAllowedOrigin(entry).kind).toBe('invalid');
  });
});

describe('compileOriginPolicy', () => {
  const policy = compileOriginPolicy([
    'https://app.example.com',
    'http://localhost:3000',
    'https://*.example.com',
    'https://*.internal.test:8443',
  ]);

  it.each([
    'https://app.example.com',
    'http://localhost:3000',
    'https://a.example.com',
    'https://a.b.example.com',
    'https://x-1.example.com',
    'https://a.internal.test:8443',
  ])('allows %s and reflects it', (origin) => {
    expect(policy(origin)).toBe(origin);
  });

  it('compares host and scheme case-insensitively and reflects the origin as sent', () => {
    expect(policy('https://APP.Example.com')).toBe('https://APP.Example.com');
    expect(policy('HTTPS://A.EXAMPLE.COM')).toBe('HTTPS://A.EXAMPLE.COM');
  });

  it.each([
    ['the parent domain itself', 'https://example.com'],
    ['a look-alike domain', 'https://evil-example.com'],
    ['a look-alike subdomain', 'https://evilexample.com'],
    ['the allowed name as a prefix of another domain', 'https://a.example.com.evil.net'],
    ['the allowed exact origin as a prefix', 'https://app.example.com.evil.net'],
    ['another scheme', 'http://a.example.com'],
    ['another port on a pattern', 'https://a.example.com:444'],
    ['an explicit default port (browsers never send it)', 'https://app.example.com:443'],
    ['a port missing on a port pattern', 'https://a.internal.test'],
    ['another port on an exact origin', 'http://localhost:3001'],
    ['no port on an exact origin with a port', 'http://localhost'],
    ['the opaque origin', 'null'],
    ['an empty label', 'https://.example.com'],
    ['an empty inner label', 'https://a..example.com'],
    ['user information smuggled into the label', 'https://evil.com@a.example.com'],
    ['a port smuggled into the label', 'https://evil.com:1.example.com'],
    ['a path smuggled into the label', 'https://evil.com/.example.com'],
    ['an underscore label', 'https://a_b.example.com'],
    ['a trailing slash', 'https://app.example.com/'],
    ['whitespace', 'https://app.example.com '],
    ['a non-ASCII host', 'https://ä.example.com'],
    ['a Unicode character that lower-cases to ASCII', 'https://\u212Aa.example.com'],
    ['an empty value', ''],
    ['a label over 63 characters', `https://${'a'.repeat(64)}.example.com`],
  ])('refuses %s', (_what, origin) => {
    expect(policy(origin)).toBeUndefined();
  });

  it('answers * for any origin, including null, when "*" is allowed', () => {
    const any = compileOriginPolicy(['https://app.example.com', '*']);
    expect(any('https://evil.example.net')).toBe('*');
    expect(any('null')).toBe('*');
    expect(any('https://app.example.com')).toBe('*');
  });

  it('never matches invalid entries', () => {
    const invalid = compileOriginPolicy(['https://app.example.com/', 'https://example.*']);
    expect(invalid('https://app.example.com')).toBeUndefined();
    expect(invalid('https://example.attacker.com')).toBeUndefined();
  });
});
