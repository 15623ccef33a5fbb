import { describe, expect, it } from 'vitest';
import { serverAttributes } from './upstream.js';

describe('serverAttributes', () => {
  it('separates the host from the port, as the HTTP client conventions name them', () => {
    expect(serverAttributes('http://127.0.0.1:8080')).toEqual({
      'server.address': '127.0.0.1',
      'server.port': 8080,
    });
    expect(serverAttributes('https://api.example.com')).toEqual({
      'server.address': 'api.example.com',
      'server.port': 443,
    });
    expect(serverAttributes('http://api.example.com')).toEqual({
      'server.address': 'api.example.com',
      'server.port': 80,
    });
    expect(serverAttributes('http://[::1]:9000')).toEqual({ 'server.address': '::1', 'server.port': 9000 });
    expect(serverAttributes('https://[2001:db8::1]')).toEqual({
      'server.address': '2001:db8::1',
      'server.port': 443,
    });
  });
});
