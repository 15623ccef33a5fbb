import { describe, expect, it } from 'vitest';
import type { MappingConfig } from '../config/schema.js';
import { checkMapping } from './compile.js';

/** The problems checkMapping reports for a route's mapping (docs/BEHAVIOUR.md "7. Value mapping"). */
function lintMapping(
  mapping: MappingConfig,
  pointer: string,
  routeVariables: Record<string, unknown> | undefined,
  globalVariables: Record<string, unknown> | undefined,
  pathParams?: readonly string[],
) {
  return [...checkMapping(mapping, pointer, { routeVariables, globalVariables, pathParams }).problems];
}

const at = '/paths/0/mapping';

function pointers(
  mapping: MappingConfig,
  routeVariables?: Record<string, unknown>,
  globalVariables?: Record<string, unknown>,
  pathParams?: readonly string[],
): string[] {
  return lintMapping(mapping, at, routeVariables, globalVariables, pathParams).map(
    (problem) => `${problem.severity} ${problem.pointer}`,
  );
}

describe('lintMapping', () => {
  it('accepts a sound mapping', () => {
    expect(
      lintMapping(
        {
          headers: {
            'X-User-Id': '$request.jwt.sub',
            Authorization: 'Bearer $request.jwt.sub',
            'X-Tenant': 'tenant-$request.path.id',
            'X-Region': '$config.region',
            'X-Plan': '$config.plan',
            'X-Const': 'gatehouse',
          },
          query: { page: '$request.query.p', user: '$request.header.x-user' },
        },
        at,
        { region: 'eu' },
        { plan: 'pro' },
        ['id'],
      ),
    ).toEqual([]);
  });

  it.each(['$request.body.x', '$requst.header.x', 'Bearer $request.token.x', '$request.header.'])(
    'refuses %s with the pointer of its entry',
    (template) => {
      expect(pointers({ headers: { 'X-A': template } })).toEqual([`error ${at}/headers/X-A`]);
      expect(pointers({ query: { a: template } })).toEqual([`error ${at}/query/a`]);
    },
  );

  it('refuses $config keys that neither the route nor the globals define', () => {
    const found = lintMapping({ headers: { 'X-A': 'v-$config.nope' } }, at, { yes: 1 }, { also: 2 });
    expect(found).toEqual([
      { pointer: `${at}/headers/X-A`, severity: 'error', message: expect.stringContaining('"nope"') },
    ]);
    expect(
      pointers({ headers: { 'X-A': '$config.yes', 'X-B': '$config.also' } }, { yes: 1 }, { also: 2 }),
    ).toEqual([]);
  });

  it('refuses invalid, reserved and duplicate header names', () => {
    expect(
      pointers({
        headers: {
          'X Bad': 'x',
          'X-Ok:': 'x',
          'Transfer-Encoding': 'chunked',
          'Content-Length': '1',
          Connection: 'close',
          'X-Id': '$request.jwt.sub',
          'x-id': '$request.jwt.email',
        },
      }),
    ).toEqual([
      `error ${at}/headers/X Bad`,
      `error ${at}/headers/X-Ok:`,
      `error ${at}/headers/Transfer-Encoding`,
      `error ${at}/headers/Content-Length`,
      `error ${at}/headers/Connection`,
      `error ${at}/headers/x-id`,
    ]);
  });

  it('refuses a source header name that is not a token', () => {
    expect(pointers({ headers: { 'X-A': '$request.header.x:y' } })).toEqual([`error ${at}/headers/X-A`]);
  });

  it('refuses an empty query parameter name', () => {
    expect(pointers({ query: { '': 'x' } })).toEqual([`error ${at}/query/`]);
  });

  it('escapes pointer tokens (RFC 6901)', () => {
    expect(pointers({ query: { 'a/b~c': '$request.body.x' } })).toEqual([`error ${at}/query/a~1b~0c`]);
  });

  it('refuses constant values with CR/LF/NUL without quoting them', () => {
    const found = lintMapping(
      { headers: { 'X-A': '$config.secret' } },
      at,
      { secret: 's3cr3t\r\nX: y' },
      undefined,
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.message).not.toContain('s3cr3t');
    expect(pointers({ query: { q: 'a\0b' } })).toEqual([`error ${at}/query/q`]);
  });

  it('checks path parameters when the route path is known', () => {
    expect(
      pointers({ headers: { 'X-A': '$request.path.id', 'X-B': 'v-$request.path.tenant' } }, {}, {}, ['id']),
    ).toEqual([`error ${at}/headers/X-B`]);
    expect(pointers({ headers: { 'X-B': '$request.path.tenant' } })).toEqual([]);
  });
});
