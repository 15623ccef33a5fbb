import { describe, expect, it } from 'vitest';
import type { CorsConfig } from '../config/schema.js';
import { lintCors } from './lint.js';

function problems(config: CorsConfig): { pointer: string; severity: string }[] {
  return lintCors(config, '/cors').map(({ pointer, severity }) => ({ pointer, severity }));
}

describe('lintCors', () => {
  it('accepts a sound config', () => {
    expect(
      lintCors(
        {
          allow_origins: ['https://app.example.com', 'https://*.example.com', 'http://localhost:3000'],
          allow_methods: ['GET', 'POST'],
          allow_headers: ['Content-Type', 'Authorization'],
          expose_headers: ['X-Request-Id'],
          allow_credentials: true,
          max_age: 600,
        },
        '/cors',
      ),
    ).toEqual([]);
  });

  it('refuses "*" with allow_credentials (docs/COMPAT.md row 8)', () => {
    const found = lintCors(
      { allow_origins: ['https://a.example.com', '*'], allow_credentials: true },
      '/cors',
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ pointer: '/cors/allow_credentials', severity: 'error' });
    expect(found[0]?.message).toContain('"*"');
  });

  it('accepts "*" without credentials', () => {
    expect(lintCors({ allow_origins: ['*'], allow_credentials: false }, '/cors')).toEqual([]);
  });

  it.each([
    'https://app.example.com/',
    'https://app.example.com/path',
    'https://app.example.com?q=1',
    'app.example.com',
    'ftp://app.example.com',
    'null',
    'https://example.*',
    'https://a.*.example.com',
    'https://*example.com',
  ])('refuses %s at its index', (origin) => {
    const found = lintCors({ allow_origins: ['https://ok.example.com', origin] }, '/cors');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ pointer: '/cors/allow_origins/1', severity: 'error' });
    expect(found[0]?.message).toContain(JSON.stringify(origin));
  });

  it('warns about a pattern covering a whole top-level domain', () => {
    expect(problems({ allow_origins: ['https://*.com'] })).toEqual([
      { pointer: '/cors/allow_origins/0', severity: 'warning' },
    ]);
  });

  it('warns when no origin is allowed', () => {
    expect(problems({ allow_origins: [] })).toEqual([
      { pointer: '/cors/allow_origins', severity: 'warning' },
    ]);
  });

  it('refuses methods and header names that are not tokens', () => {
    expect(
      problems({
        allow_origins: ['https://a.example.com'],
        allow_methods: ['GET', 'GET POST'],
        allow_headers: ['X-Ok', 'X Bad'],
        expose_headers: ['X-Id\r\nSet-Cookie: a=b'],
      }),
    ).toEqual([
      { pointer: '/cors/allow_methods/1', severity: 'error' },
      { pointer: '/cors/allow_headers/1', severity: 'error' },
      { pointer: '/cors/expose_headers/0', severity: 'error' },
    ]);
  });

  it('warns about a lower-case standard method (CORS compares PATCH byte for byte)', () => {
    const found = lintCors(
      { allow_origins: ['https://a.example.com'], allow_methods: ['patch', 'PURGE'] },
      '/cors',
    );
    expect(found).toEqual([
      { pointer: '/cors/allow_methods/0', severity: 'warning', message: expect.stringContaining('"PATCH"') },
    ]);
  });

  it('warns that "*" lists are literal with credentials, and accepts them without', () => {
    const lists = { allow_methods: ['*'], allow_headers: ['*'], expose_headers: ['*'] };
    expect(problems({ allow_origins: ['https://a.example.com'], ...lists })).toEqual([]);
    expect(problems({ allow_origins: ['https://a.example.com'], allow_credentials: true, ...lists })).toEqual(
      [
        { pointer: '/cors/allow_methods/0', severity: 'warning' },
        { pointer: '/cors/allow_headers/0', severity: 'warning' },
        { pointer: '/cors/expose_headers/0', severity: 'warning' },
      ],
    );
  });
});
