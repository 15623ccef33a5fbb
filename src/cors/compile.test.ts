import { describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../config/problems.js';
import type { CorsConfig } from '../config/schema.js';
import { checkCors, type CompiledCors } from './compile.js';

/** The compiled policy of a config the checks accept. */
function compileCors(config: CorsConfig): CompiledCors {
  const { value, problems } = checkCors(config);
  if (!value) throw new ConfigInvalidError(problems);
  return value;
}

const full: CorsConfig = {
  allow_origins: ['https://app.example.com', 'https://*.example.org'],
  allow_methods: ['GET', 'POST', 'PATCH'],
  allow_headers: ['Content-Type', 'Authorization'],
  expose_headers: ['X-Request-Id', 'X-Total'],
  allow_credentials: true,
  max_age: 600,
};

function applied(config: CorsConfig, origin: string | null, init?: HeadersInit): Headers {
  const headers = new Headers(init);
  compileCors(config).apply(origin, headers);
  return headers;
}

function accessControl(headers: Headers): Record<string, string> {
  return Object.fromEntries([...headers].filter(([name]) => name.startsWith('access-control-')));
}

describe('compileCors().preflight', () => {
  it('answers 204 with every configured header, lists joined without spaces', async () => {
    const response = compileCors(full).preflight(
      new Request('https://gw.test/anything', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PATCH' },
      }),
    );
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(accessControl(response.headers)).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET,POST,PATCH',
      'access-control-allow-headers': 'Content-Type,Authorization',
      'access-control-expose-headers': 'X-Request-Id,X-Total',
      'access-control-max-age': '600',
    });
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('does not reflect Access-Control-Request-Headers when allow_headers is unset', () => {
    const response = compileCors({ allow_origins: ['https://app.example.com'] }).preflight(
      new Request('https://gw.test/x', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-headers': 'x-anything' },
      }),
    );
    expect(response.headers.get('access-control-allow-headers')).toBeNull();
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('answers a preflight from a foreign origin without Allow-Origin or Allow-Credentials', () => {
    const response = compileCors(full).preflight(
      new Request('https://gw.test/x', {
        method: 'OPTIONS',
        headers: { origin: 'https://evil-example.org' },
      }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('answers a preflight without Origin without Allow-Origin', () => {
    const response = compileCors(full).preflight(new Request('https://gw.test/x', { method: 'OPTIONS' }));
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('compileCors().apply', () => {
  it('reflects an allowed origin with credentials', () => {
    const headers = applied(full, 'https://a.b.example.org');
    expect(headers.get('access-control-allow-origin')).toBe('https://a.b.example.org');
    expect(headers.get('access-control-allow-credentials')).toBe('true');
    expect(headers.get('access-control-expose-headers')).toBe('X-Request-Id,X-Total');
  });

  it.each([
    ['no Origin', null],
    ['a foreign origin', 'https://evil.example.net'],
    ['a look-alike', 'https://evil-example.org'],
    ['a suffix attack', 'https://app.example.com.evil.net'],
    ['the opaque origin', 'null'],
    ['another port', 'https://a.example.org:444'],
  ])('sends no Allow-Origin and no Allow-Credentials for %s, but Vary: Origin', (_what, origin) => {
    const headers = applied(full, origin);
    expect(headers.get('access-control-allow-origin')).toBeNull();
    expect(headers.get('access-control-allow-credentials')).toBeNull();
    expect(headers.get('vary')).toBe('Origin');
  });

  it('answers * (and never credentials) for "*" without credentials', () => {
    const headers = applied({ allow_origins: ['*'] }, 'https://anyone.example.net');
    expect(headers.get('access-control-allow-origin')).toBe('*');
    expect(headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('sends no Allow-Credentials when allow_credentials is false', () => {
    const headers = applied(
      { allow_origins: ['https://app.example.com'], allow_credentials: false },
      'https://app.example.com',
    );
    expect(headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(headers.get('access-control-allow-credentials')).toBeNull();
  });

  it("replaces an upstream's own Access-Control-* headers", () => {
    const headers = applied(full, 'https://evil.example.net', {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Methods': 'DELETE',
      'Access-Control-Allow-Private-Network': 'true',
      'Content-Type': 'application/json',
    });
    expect(accessControl(headers)).toEqual({
      'access-control-allow-methods': 'GET,POST,PATCH',
      'access-control-allow-headers': 'Content-Type,Authorization',
      'access-control-expose-headers': 'X-Request-Id,X-Total',
      'access-control-max-age': '600',
    });
    expect(headers.get('content-type')).toBe('application/json');
  });

  it('sends only what is configured, plus X-Request-Id exposed', () => {
    const headers = applied(
      { allow_origins: ['https://app.example.com'], allow_methods: [] },
      'https://app.example.com',
    );
    expect(accessControl(headers)).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-expose-headers': 'X-Request-Id',
    });
  });

  it('adds X-Request-Id to a configured expose list once', () => {
    const exposed = (expose_headers: string[]): string | null =>
      applied({ allow_origins: ['https://a.example'], expose_headers }, 'https://a.example').get(
        'access-control-expose-headers',
      );
    expect(exposed(['X-Total'])).toBe('X-Total,X-Request-Id');
    expect(exposed(['x-request-id'])).toBe('x-request-id');
    // `*` is a literal name on a credentialed request: X-Request-Id is named beside it.
    expect(exposed(['*'])).toBe('*,X-Request-Id');
  });

  it.each([
    ['appends Origin to an upstream Vary', 'Accept-Encoding', 'Accept-Encoding, Origin'],
    ['keeps a Vary that already names Origin', 'Accept, origin', 'Accept, origin'],
    ['keeps Vary: *', '*', '*'],
  ])('%s', (_what, vary, expected) => {
    expect(applied(full, 'https://app.example.com', { vary }).get('vary')).toBe(expected);
  });

  it('is idempotent: decorating twice changes nothing', () => {
    const cors = compileCors(full);
    const headers = new Headers({ vary: 'Accept-Encoding' });
    cors.apply('https://app.example.com', headers);
    const once = [...headers];
    cors.apply('https://app.example.com', headers);
    expect([...headers]).toEqual(once);
    expect(headers.get('vary')).toBe('Accept-Encoding, Origin');
  });
});

describe('checkCors refusals: a policy with errors is never built', () => {
  it('refuses "*" with credentials (docs/COMPAT.md row 8)', () => {
    const { value, problems } = checkCors({ allow_origins: ['*'], allow_credentials: true });
    expect(value).toBeUndefined();
    expect(problems).toContainEqual(
      expect.objectContaining({ pointer: '/cors/allow_credentials', severity: 'error' }),
    );
  });

  it('refuses a misplaced wildcard (docs/COMPAT.md row 9)', () => {
    const { value, problems } = checkCors({ allow_origins: ['https://example.*'] });
    expect(value).toBeUndefined();
    expect(problems[0]?.message).toMatch(/leftmost label/);
  });

  it('builds a policy whose only problems are warnings', () => {
    const { value, problems } = checkCors({ allow_origins: [] });
    expect(problems.map((p) => p.severity)).toEqual(['warning']);
    expect(value).toBeDefined();
  });
});

describe('applyToRecord (answers the gateway composes itself)', () => {
  const cors = compileCors({
    allow_origins: ['https://app.example.com'],
    allow_methods: ['GET', 'POST'],
    expose_headers: ['X-Request-Id'],
    allow_credentials: true,
  });

  it('writes the same decision as apply() into a plain record', () => {
    const record: Record<string, string> = { 'content-type': 'application/json' };
    cors.applyToRecord('https://app.example.com', record);
    const headers = new Headers({ 'content-type': 'application/json' });
    cors.apply('https://app.example.com', headers);
    expect(record).toEqual(Object.fromEntries(headers));
  });

  it('appends Origin to an existing Vary and grants nothing to an unknown origin', () => {
    const record: Record<string, string> = { vary: 'Accept' };
    cors.applyToRecord('https://evil.example', record);
    expect(record.vary).toBe('Accept, Origin');
    expect(record['access-control-allow-origin']).toBeUndefined();
    expect(record['access-control-allow-credentials']).toBeUndefined();
  });
});

describe('applyToRecord on an upstream answer held as a record', () => {
  it("replaces the upstream's own Access-Control-* entries", () => {
    const cors = compileCors({ allow_origins: ['https://app.example.com'] });
    const record: Record<string, string> = {
      'access-control-allow-origin': '*',
      'access-control-allow-credentials': 'true',
      'content-type': 'application/json',
    };
    cors.applyToRecord('https://evil.example', record);
    expect(record).toEqual({
      'content-type': 'application/json',
      vary: 'Origin',
      'access-control-expose-headers': 'X-Request-Id',
    });
  });
});
