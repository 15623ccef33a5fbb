import { describe, expect, it } from 'vitest';
import { parseTemplate, type TemplatePart } from './template.js';

function parts(template: string): readonly TemplatePart[] {
  const parsed = parseTemplate(template);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.parts;
}

function error(template: string): string {
  const parsed = parseTemplate(template);
  if (parsed.ok) throw new Error(`expected an error for ${template}`);
  return parsed.error;
}

describe('parseTemplate: whole references', () => {
  it.each([
    ['$request.header.X-User-Id', { source: 'header', name: 'X-User-Id' }],
    ['$request.query.page', { source: 'query', name: 'page' }],
    ['$request.jwt.sub', { source: 'jwt', name: 'sub' }],
    ['$request.jwt.org.id', { source: 'jwt', name: 'org.id' }],
    ['$request.path.id', { source: 'path', name: 'id' }],
    ['$config.tenant', { source: 'config', name: 'tenant' }],
    // Everything after the source prefix, so namespaced claims are reachable.
    ['$request.jwt.https://example.com/roles', { source: 'jwt', name: 'https://example.com/roles' }],
    ['$request.query.filter[name]', { source: 'query', name: 'filter[name]' }],
  ])('%s', (template, reference) => {
    expect(parts(template)).toEqual([reference]);
  });
});

describe('parseTemplate: composites and constants', () => {
  it('mixes text and references', () => {
    expect(parts('Bearer $request.jwt.sub')).toEqual(['Bearer ', { source: 'jwt', name: 'sub' }]);
    expect(parts('tenant-$request.path.id')).toEqual(['tenant-', { source: 'path', name: 'id' }]);
    expect(parts('$request.path.tenant:$request.path.id')).toEqual([
      { source: 'path', name: 'tenant' },
      ':',
      { source: 'path', name: 'id' },
    ]);
  });

  it('ends a reference at the first character outside [A-Za-z0-9_.-]', () => {
    expect(parts('user=$request.jwt.sub;org=$config.org_id')).toEqual([
      'user=',
      { source: 'jwt', name: 'sub' },
      ';org=',
      { source: 'config', name: 'org_id' },
    ]);
    expect(parts('($request.header.x-id)')).toEqual(['(', { source: 'header', name: 'x-id' }, ')']);
  });

  it('leaves trailing dots out of a reference', () => {
    expect(parts('Hello $request.jwt.name.')).toEqual(['Hello ', { source: 'jwt', name: 'name' }, '.']);
    expect(parts('v $request.jwt.org.id...')).toEqual(['v ', { source: 'jwt', name: 'org.id' }, '...']);
  });

  it('reads $$ as a literal $ and keeps a $ that starts no reference', () => {
    expect(parts('$$request.jwt.sub')).toEqual(['$request.jwt.sub']);
    expect(parts('costs $5 or $ 6 $')).toEqual(['costs $5 or $ 6 $']);
    expect(parts('a $$b $request.jwt.sub')).toEqual(['a $b ', { source: 'jwt', name: 'sub' }]);
  });

  it('parses constants', () => {
    expect(parts('gatehouse')).toEqual(['gatehouse']);
    expect(parts('')).toEqual([]);
  });
});

describe('parseTemplate: errors', () => {
  it.each([
    ['$request.body.x', '$request.body'],
    ['$requst.header.x', '$requst'],
    ['$request.cookie.session', '$request.cookie'],
    ['$env.SECRET', '$env'],
    ['$HOME', '$HOME'],
    ['Bearer $request.jwts.sub', '$request.jwts'],
    ['x $requst.header.x y', '$requst'],
  ])('refuses the unknown source in %s', (template, source) => {
    expect(error(template)).toContain(`unknown source "${source}"`);
  });

  it.each(['$request.header.', '$request.jwt', '$config.', 'Bearer $request.jwt.', 'x $config. y'])(
    'refuses the reference to nothing in %s',
    (template) => {
      expect(error(template)).toMatch(/names (nothing|no variable)|unknown source/);
    },
  );

  it('explains how to write a literal $', () => {
    expect(error('$USD')).toContain('$$');
  });
});
