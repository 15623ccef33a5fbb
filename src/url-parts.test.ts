import { describe, expect, it } from 'vitest';
import { originOf, splitOrigin, splitRequestUrl } from './url-parts.js';

describe('the one URL splitter', () => {
  it.each([
    ['http://h:1/a/b?x=1&y=/', { host: 'h:1', pathname: '/a/b', search: '?x=1&y=/' }],
    ['http://h:1/a/b', { host: 'h:1', pathname: '/a/b', search: '' }],
    ['http://h:1', { host: 'h:1', pathname: '/', search: '' }],
    ['http://h:1?x=/y', { host: 'h:1', pathname: '/', search: '?x=/y' }],
    ['https://[::1]:8443/', { host: '[::1]:8443', pathname: '/', search: '' }],
  ])('splits the request URL %s', (url, parts) => {
    expect(splitRequestUrl(url)).toEqual(parts);
  });

  it.each([
    ['http://h:1/a?x=/y', 'http://h:1', '/a?x=/y'],
    ['http://h:1?x=/y', 'http://h:1', '/?x=/y'],
    ['http://h:1', 'http://h:1', '/'],
  ])('splits the upstream URL %s into origin and path', (url, origin, path) => {
    expect(splitOrigin(url)).toEqual({ origin, path });
    expect(originOf(url)).toBe(origin);
  });
});
