import { describe, expect, it } from 'vitest';
import {
  buildUpstreamUrl,
  checkServerUrl,
  selfBase,
  upstreamPath,
  type UpstreamBase,
} from './upstream-url.js';

/** The problem checkServerUrl reports, or undefined when it accepts the URL. */
function problemOf(raw: string): string | undefined {
  const result = checkServerUrl(raw);
  return 'problem' in result ? result.problem : undefined;
}

/** The base of an absolute URL checkServerUrl accepted. */
function absoluteBase(raw: string): UpstreamBase {
  const result = checkServerUrl(raw);
  if ('problem' in result || result.url.kind !== 'absolute') throw new TypeError(raw);
  return result.url.base;
}

describe('checkServerUrl: problems', () => {
  it('accepts absolute http and https URLs', () => {
    expect(problemOf('https://b.example.com/base')).toBeUndefined();
    expect(problemOf('http://127.0.0.1:8080')).toBeUndefined();
    expect(problemOf('http://[::1]:8080/x?k=v')).toBeUndefined();
  });

  it('refuses relative URLs (other than a path, below) and other schemes', () => {
    expect(problemOf('b.example.com/base')).toMatch(/absolute http/);
    expect(problemOf('./base')).toMatch(/absolute http/);
    expect(problemOf('ftp://b.example.com')).toMatch(/absolute http/);
    expect(problemOf('file:///etc/passwd')).toMatch(/absolute http/);
  });

  it('refuses a fragment, even an empty one', () => {
    expect(problemOf('https://b.example.com/base#x')).toMatch(/fragment/);
    expect(problemOf('https://b.example.com/base#')).toMatch(/fragment/);
  });

  it('refuses credentials without repeating them', () => {
    const message = problemOf('https://user:s3cret@b.example.com/');
    expect(message).toMatch(/credentials/);
    expect(message).not.toContain('s3cret');
    expect(problemOf('https://user@b.example.com/')).toMatch(/credentials/);
  });
});

describe('checkServerUrl: the parsed base', () => {
  it('keeps origin and path without the trailing slash', () => {
    expect(absoluteBase('https://b.example.com/base')).toEqual({
      prefix: 'https://b.example.com/base',
      search: '',
    });
    expect(absoluteBase('https://b.example.com/base/').prefix).toBe('https://b.example.com/base');
    expect(absoluteBase('https://b.example.com').prefix).toBe('https://b.example.com');
    expect(absoluteBase('https://b.example.com/').prefix).toBe('https://b.example.com');
  });

  it('normalizes once: host case, default port', () => {
    expect(absoluteBase('HTTPS://B.Example.COM:443/Base').prefix).toBe('https://b.example.com/Base');
    expect(absoluteBase('http://127.0.0.1:8080/').prefix).toBe('http://127.0.0.1:8080');
  });

  it('keeps the server query', () => {
    expect(absoluteBase('https://b.example.com/base?key=a%20b&v=1').search).toBe('?key=a%20b&v=1');
  });

  it('gives a problem and no base for a URL it refuses', () => {
    expect(checkServerUrl('not a url')).toEqual({ problem: expect.stringMatching(/absolute http/) });
  });
});

describe('buildUpstreamUrl', () => {
  const base = absoluteBase('https://b.example.com/base');
  const root = absoluteBase('https://b.example.com');
  const withQuery = absoluteBase('https://b.example.com/base?key=k1');

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
    expect(problemOf('/upstream')).toBeUndefined();
    expect(problemOf('/upstream?x=1')).toContain('plain path');
    expect(problemOf('//evil.example/x')).toContain('absolute');
    expect(checkServerUrl('/upstream/')).toEqual({ url: { kind: 'self', path: '/upstream/' } });
    expect(selfBase('/upstream/', 'http://127.0.0.1:9000')).toEqual({
      prefix: 'http://127.0.0.1:9000/upstream',
      search: '',
    });
  });
});
