import { describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../config/problems.js';
import type { MappingConfig } from '../config/schema.js';
import { checkMapping, type CompiledMapping } from './compile.js';

/** The compiled mapping of a config the checks accept (undefined: nothing to map). */
function compileMapping(
  mapping: MappingConfig | undefined,
  routeVariables: Record<string, unknown> | undefined,
  globalVariables: Record<string, unknown> | undefined,
  pointer = '/mapping',
): CompiledMapping | undefined {
  if (mapping === undefined) return undefined;
  const { value, problems } = checkMapping(mapping, pointer, { routeVariables, globalVariables });
  if (problems.some((p) => p.severity === 'error')) throw new ConfigInvalidError(problems);
  return value;
}
import type { MappingSources } from './compile-template.js';

interface Sources {
  headers?: Record<string, string>;
  query?: string;
  claims?: Record<string, unknown>;
  params?: Record<string, string>;
}

function sources(input: Sources = {}): MappingSources {
  return {
    headers: new Headers(input.headers),
    query: new URLSearchParams(input.query),
    claims: input.claims,
    params: input.params ?? {},
  };
}

function compiled(
  mapping: MappingConfig,
  routeVariables?: Record<string, unknown>,
  globalVariables?: Record<string, unknown>,
): CompiledMapping {
  const result = compileMapping(mapping, routeVariables, globalVariables);
  if (result === undefined) throw new Error('expected a compiled mapping');
  return result;
}

function run(
  mapping: CompiledMapping,
  input: Sources,
  target = new Headers(),
  targetQuery = new URLSearchParams(),
): { headers: Record<string, string>; query: string; dropped: [string, string][] } {
  const dropped: [string, string][] = [];
  mapping.apply(sources(input), target, targetQuery, (name, reason) => dropped.push([name, reason]));
  return { headers: Object.fromEntries(target), query: targetQuery.toString(), dropped };
}

describe('compileMapping', () => {
  it('returns undefined when there is nothing to map', () => {
    expect(compileMapping(undefined, undefined, undefined)).toBeUndefined();
    expect(compileMapping({}, undefined, undefined)).toBeUndefined();
    expect(compileMapping({ headers: {}, query: {} }, undefined, undefined)).toBeUndefined();
  });

  it('lists lower-cased header names and query names as written', () => {
    const mapping = compiled({
      headers: { 'X-User-Id': '$request.jwt.sub', 'x-tenant': 'acme' },
      query: { userId: '$request.jwt.sub' },
    });
    expect(mapping.headerNames).toEqual(['x-user-id', 'x-tenant']);
    expect(mapping.queryNames).toEqual(['userId']);
  });

  it('maps every source', () => {
    const mapping = compiled(
      {
        headers: {
          'X-From-Header': '$request.header.X-Client',
          'X-From-Query': '$request.query.page',
          'X-From-Jwt': '$request.jwt.sub',
          'X-From-Path': '$request.path.id',
          'X-From-Config': '$config.region',
          'X-Constant': 'gatehouse',
        },
      },
      undefined,
      { region: 'eu-1' },
    );
    const { headers } = run(mapping, {
      headers: { 'x-client': 'web' },
      query: 'page=3',
      claims: { sub: 'user-1' },
      params: { id: '42' },
    });
    expect(headers).toEqual({
      'x-from-header': 'web',
      'x-from-query': '3',
      'x-from-jwt': 'user-1',
      'x-from-path': '42',
      'x-from-config': 'eu-1',
      'x-constant': 'gatehouse',
    });
  });

  it('maps query parameters', () => {
    const mapping = compiled({
      query: { user: '$request.jwt.sub', scope: 'tenant-$request.path.tenant', gone: '$request.jwt.missing' },
    });
    const targetQuery = new URLSearchParams('keep=1&gone=client');
    const { query } = run(
      mapping,
      { claims: { sub: 'u 1&x=y' }, params: { tenant: 'acme' } },
      undefined,
      targetQuery,
    );
    expect(query).toBe('keep=1&user=u+1%26x%3Dy&scope=tenant-acme');
  });

  it('reaches nested claims and prefers a literal dotted claim', () => {
    const mapping = compiled({
      headers: { 'X-Org': '$request.jwt.org.id', 'X-Team': '$request.jwt.org.team' },
    });
    expect(run(mapping, { claims: { org: { id: 'nested', team: 'core' } } }).headers).toEqual({
      'x-org': 'nested',
      'x-team': 'core',
    });
    expect(run(mapping, { claims: { 'org.id': 'literal', org: { id: 'nested' } } }).headers).toEqual({
      'x-org': 'literal',
    });
  });

  it('reaches namespaced claims with a whole-reference template', () => {
    const mapping = compiled({ headers: { 'X-Roles': '$request.jwt.https://example.com/roles' } });
    expect(run(mapping, { claims: { 'https://example.com/roles': ['a', 'b'] } }).headers).toEqual({
      'x-roles': 'a,b',
    });
  });

  it('converts arrays, objects, numbers and booleans', () => {
    const mapping = compiled(
      {
        headers: {
          'X-Roles': '$request.jwt.roles',
          'X-Org': '$request.jwt.org',
          'X-Level': '$request.jwt.level',
          'X-Admin': '$request.jwt.admin',
          'X-Limits': '$config.limits',
          'X-Tags': '$config.tags',
        },
        query: { roles: '$request.jwt.roles' },
      },
      { limits: { rps: 10 }, tags: ['a', 1, true] },
    );
    const result = run(mapping, {
      claims: { roles: ['admin', 'dev'], org: { id: 7 }, level: 3, admin: false },
    });
    expect(result.headers).toEqual({
      'x-roles': 'admin,dev',
      'x-org': '{"id":7}',
      'x-level': '3',
      'x-admin': 'false',
      'x-limits': '{"rps":10}',
      'x-tags': 'a,1,true',
    });
    expect(result.query).toBe('roles=admin%2Cdev');
  });

  it('resolves $config from the route first, then globally', () => {
    const mapping = compiled(
      { headers: { 'X-A': '$config.a', 'X-B': '$config.b', 'X-C': 'c=$config.c' } },
      { a: 'route-a', c: null },
      { a: 'global-a', b: 'global-b', c: 'global-c' },
    );
    // A route variable set to null shadows the global one and maps to nothing.
    expect(run(mapping, {}).headers).toEqual({ 'x-a': 'route-a', 'x-b': 'global-b' });
  });

  it('builds composite values', () => {
    const mapping = compiled(
      {
        headers: {
          Authorization: 'Bearer $request.jwt.sub',
          'X-Key': '$config.env:$request.path.tenant:$request.jwt.sub.',
        },
      },
      { env: 'prod' },
    );
    expect(run(mapping, { claims: { sub: 'u1' }, params: { tenant: 'acme' } }).headers).toEqual({
      authorization: 'Bearer u1',
      'x-key': 'prod:acme:u1.',
    });
  });

  it('removes a composite when any referenced value is missing', () => {
    const mapping = compiled({
      headers: { Authorization: 'Bearer $request.jwt.sub', 'X-Pair': '$request.path.a-$request.path.b' },
    });
    const target = new Headers({ authorization: 'Bearer client-forged', 'x-pair': 'forged' });
    const result = run(mapping, { claims: {}, params: { a: '1' } }, target);
    expect(result.headers).toEqual({});
    expect(result.dropped).toEqual([]);
  });

  it('removes the header when a whole reference resolves to nothing (docs/COMPAT.md row 15)', () => {
    const mapping = compiled({
      headers: {
        'X-User-Id': '$request.jwt.sub',
        'X-Null': '$request.jwt.nothing',
        'X-Empty': '$request.jwt.empty',
        'X-Page': '$request.query.page',
        'X-Client': '$request.header.x-client',
        'X-Id': '$request.path.id',
      },
    });
    const target = new Headers({ 'x-user-id': 'admin', 'x-page': 'forged', 'x-other': 'kept' });
    const result = run(mapping, { claims: { nothing: null, empty: '' }, query: 'page=' }, target);
    expect(result.headers).toEqual({ 'x-other': 'kept' });
  });

  it('removes everything mapped when the route has no claims', () => {
    const mapping = compiled({
      headers: { 'X-User-Id': '$request.jwt.sub' },
      query: { u: '$request.jwt.sub' },
    });
    expect(run(mapping, {}, new Headers({ 'x-user-id': 'forged' }), new URLSearchParams('u=forged'))).toEqual(
      {
        headers: {},
        query: '',
        dropped: [],
      },
    );
  });

  it('maps an empty constant to nothing, so it only removes the client value', () => {
    const mapping = compiled({ headers: { 'X-Debug': '' } });
    expect(run(mapping, {}, new Headers({ 'x-debug': 'on' })).headers).toEqual({});
  });

  it('never reads path parameters from the prototype', () => {
    const mapping = compiled({ headers: { 'X-C': '$request.path.constructor' } });
    expect(run(mapping, { params: {} }).headers).toEqual({});
  });

  describe('refused values', () => {
    it('drops a claim carrying CR/LF and reports it without the value', () => {
      const mapping = compiled({
        headers: { 'X-Email': '$request.jwt.email', 'X-Sub': 'Bearer $request.jwt.sub' },
        query: { email: '$request.jwt.email' },
      });
      const injected = 'a@example.com\r\nX-Admin: true';
      const target = new Headers({ 'x-email': 'forged' });
      const result = run(
        mapping,
        { claims: { email: injected, sub: 'x\ny' } },
        target,
        new URLSearchParams(),
      );
      expect(result.headers).toEqual({});
      expect(result.query).toBe('');
      expect(result.dropped).toEqual([
        ['x-email', 'header value contains CR, LF or NUL'],
        ['x-sub', 'header value contains CR, LF or NUL'],
        ['email', 'query value contains CR, LF or NUL'],
      ]);
      expect(JSON.stringify(result.dropped)).not.toContain('example.com');
    });

    it('drops a NUL in a forwarded header value', () => {
      const mapping = compiled({ query: { q: '$request.query.q' } });
      const result = run(mapping, { query: 'q=a%00b' });
      expect(result.dropped).toEqual([['q', 'query value contains CR, LF or NUL']]);
    });

    it('drops header values that are not header text', () => {
      const mapping = compiled({
        headers: { 'X-Name': '$request.jwt.name', 'X-Latin': '$request.jwt.latin' },
      });
      const result = run(mapping, { claims: { name: '山田', latin: 'Zoë' } });
      expect(result.headers).toEqual({ 'x-latin': 'Zoë' });
      expect(result.dropped).toEqual([['x-name', 'header value is not valid header text']]);
    });

    it('sends non-header text in query values (URLSearchParams encodes it)', () => {
      const mapping = compiled({ query: { name: '$request.jwt.name' } });
      expect(run(mapping, { claims: { name: '山田' } }).query).toBe('name=%E5%B1%B1%E7%94%B0');
    });
  });

  describe('config problems', () => {
    it.each<[string, MappingConfig, Record<string, unknown> | undefined]>([
      ['an unknown source', { headers: { 'X-A': '$request.body.x' } }, undefined],
      ['a misspelt source', { headers: { 'X-A': '$requst.header.x' } }, undefined],
      ['an unknown variable', { headers: { 'X-A': '$config.missing' } }, { other: 1 }],
      ['an invalid header name', { headers: { 'X A': 'x' } }, undefined],
      ['a reserved header name', { headers: { Host: 'x' } }, undefined],
      ['a constant with CR/LF', { headers: { 'X-A': 'a\r\nb' } }, undefined],
      ['a variable with CR/LF', { headers: { 'X-A': '$config.bad' } }, { bad: 'a\nb' }],
    ])('refuses %s', (_what, mapping, variables) => {
      expect(() => compileMapping(mapping, variables, undefined)).toThrow(ConfigInvalidError);
    });

    it('places problems under the given pointer', () => {
      try {
        compileMapping({ headers: { 'X-A': '$request.body.x' } }, undefined, undefined, '/paths/2/mapping');
        expect.unreachable();
      } catch (error) {
        expect((error as ConfigInvalidError).problems[0]?.pointer).toBe('/paths/2/mapping/headers/X-A');
      }
    });
  });
});
