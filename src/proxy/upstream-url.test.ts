import { describe, expect, it } from 'vitest';
import { buildUpstreamUrl, compileUpstreamBase, lintServerUrl, upstreamPath } from './upstream-url.js';

describe('lintServerUrl', () => {
  it('accepts absolute http and https URLs', () => {
    expect(lintServerUrl('https://b.example.com/base')).toBeUndefined();
    expect(lintServerUrl('http://127.0.0.1:8080')).toBeUndefined();
    expect(lintServerUrl('http://[::1]:8080/x?k=v')).toBeUndefined();
  });

  it('refuses relative URLs (other than a path, below) and other schemes', () => {
    expect(lintServerUrl('b.example.com/base')).toMatch(/absolute http/);
    expect(lintServerUrl('./base')).toMatch(/absolute http/);
    expect(lintServerUrl('ftp://b.example.com')).toMatch(/absolute http/);
    expect(lintServerUrl('file:///etc/passwd')).toMatch(/absolute http/);
  });

  it('refuses a fragment, even an empty one', () => {
    expect(lintServerUrl('https://b.example.com/base#x')).toMatch(/fragment/);
    expect(lintServerUrl('https://b.example.com/base#')).toMatch(/fragment/);
  });

  it('refuses credentials without repeating them', () => {
    const message = lintServerUrl('https://user:s3cret@b.example.com/');
    expect(message).toMatch(/credentials/);
    expect(message).not.toContain('s3cret');
    expect(lintServerUrl('https://user@b.example.com/')).toMatch(/credentials/);
  });
});

describe('compileUpstreamBase', () => {
  it('keeps origin and path without the trailing slash', () => {
    expect(compileUpstreamBase('https://b.example.com/base')).toEqual({
      prefix: 'https://b.example.com/base',
      search: '',
    });
    expect(compileUpstreamBase('https://b.example.com/base/').prefix).toBe('https://b.example.com/base');
    expect(compileUpstreamBase('https://b.example.com').prefix).toBe('https://b.example.com');
    expect(compileUpstreamBase('https://b.example.com/').prefix).toBe('https://b.example.com');
  });

  it('normalizes once: host case, default port', () => {
    expect(compileUpstreamBase('HTTPS://B.Example.COM:443/Base').prefix).toBe('https://b.example.com/Base');
    expect(compileUpstreamBase('http://127.0.0.1:8080/').prefix).toBe('http://127.0.0.1:8080');
  });

  it('keeps the server query', () => {
    expect(compileUpstreamBase('https://b.example.com/base?key=a%20b&v=1').search).toBe('?key=a%20b&v=1');
  });

  it('throws on a URL lint would refuse (compile runs after lint)', () => {
    expect(() => compileUpstreamBase('not a url')).toThrow(TypeError);
  });
});

describe('buildUpstreamUrl', () => {
  const base = compileUpstreamBase('https://b.example.com/base');
  const root = compileUpstreamBase('https://b.example.com');
  const withQuery = compileUpstreamBase('https://b.example.com/base?key=k1');

  it('wildcard route: server path + / + the rest', () => {
    expect(buildUpstreamUrl(base, upstreamPath('/api/v1/proxy/orders/1', 'orders/1'), '?x=1')).toBe(
      'https://b.example.com/base/orders/1?x=1',
    );
    expect(buildUpstreamUrl(base, upstreamPath('/api/v1/proxy', ''), '')).toBe('https://b.example.com/base/');
    expect(buildUpstreamUrl(base, upstreamPath('/api/v1/proxy/a/', 'a/'), '')).toBe(
      'https://b.example.com/base/a/',
    );
    expect(buildUpstreamUrl(root, upstreamPath('/p/x', 'x'), '')).toBe('https://b.example.com/x');
  });

  it('other routes: server path + the full canonical path', () => {
    expect(buildUpstreamUrl(base, upstreamPath('/api/v1/health', undefined), '')).toBe(
      'https://b.example.com/base/api/v1/health',
    );
    expect(buildUpstreamUrl(root, upstreamPath('/health/', undefined), '')).toBe(
      'https://b.example.com/health/',
    );
  });

  it('forwards the raw query string without re-encoding it', () => {
    expect(buildUpstreamUrl(base, '/a', '?q=a%20b+c&e=%2F&x')).toBe(
      'https://b.example.com/base/a?q=a%20b+c&e=%2F&x',
    );
  });

  it('puts server parameters first, then the request ones', () => {
    expect(buildUpstreamUrl(withQuery, '/a', '?x=1&y=2')).toBe('https://b.example.com/base/a?key=k1&x=1&y=2');
    expect(buildUpstreamUrl(withQuery, '/a', '')).toBe('https://b.example.com/base/a?key=k1');
    expect(buildUpstreamUrl(withQuery, '/a', '?')).toBe('https://b.example.com/base/a?key=k1');
  });

  it('uses the mapped query when mapping produced one', () => {
    const query = new URLSearchParams('?x=1&drop=me');
    query.delete('drop');
    query.set('tenant', 'a b');
    expect(buildUpstreamUrl(base, '/a', '?x=1&drop=me', query)).toBe(
      'https://b.example.com/base/a?x=1&tenant=a+b',
    );
    expect(buildUpstreamUrl(withQuery, '/a', '?x=1', query)).toBe(
      'https://b.example.com/base/a?key=k1&x=1&tenant=a+b',
    );
    expect(buildUpstreamUrl(base, '/a', '?gone=1', new URLSearchParams())).toBe(
      'https://b.example.com/base/a',
    );
    expect(buildUpstreamUrl(withQuery, '/a', '?gone=1', new URLSearchParams())).toBe(
      'https://b.example.com/base/a?key=k1',
    );
  });
});

describe('a server URL written as a path (this gateway itself)', () => {
  it('is accepted as a plain path and resolved against the given origin', () => {
    expect(lintServerUrl('/upstream')).toBeUndefined();
    expect(lintServerUrl('/upstream?x=1')).toContain('plain path');
    expect(lintServerUrl('//evil.example/x')).toContain('absolute');
    expect(compileUpstreamBase('/upstream/', 'http://127.0.0.1:9000')).toEqual({
      prefix: 'http://127.0.0.1:9000/upstream',
      search: '',
    });
  });
});
