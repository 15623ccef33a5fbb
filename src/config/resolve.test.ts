import { describe, expect, it } from 'vitest';
import { resolveReferences } from './resolve.js';

describe('resolveReferences', () => {
  it('replaces exact $env/$secret/$secrets references and records their kind', () => {
    const result = resolveReferences(
      { a: '$env.A', b: ['$secret.B', '$secrets.C'], c: 'not $env.A', d: 3 },
      { A: 'a-value', B: 'b-value', C: 'c-value' },
    );
    expect(result.config).toEqual({ a: 'a-value', b: ['b-value', 'c-value'], c: 'not $env.A', d: 3 });
    expect(result.problems).toEqual([]);
    expect([...result.referenced]).toEqual([
      ['A', 'env'],
      ['B', 'secret'],
      ['C', 'secret'],
    ]);
  });

  it('replaces only whole-string references: text after the name stays as written (COMPAT.md row 34)', () => {
    const result = resolveReferences({ url: '$env.HOST/path', key: '$secret.K ' }, { HOST: 'h', K: 'k' });
    expect(result.config).toEqual({ url: '$env.HOST/path', key: '$secret.K ' });
    expect(result.problems).toEqual([]);
  });

  it('an unset variable is a problem naming the pointer and the variable, never an empty string', () => {
    const result = resolveReferences({ authorizer: { secret: '$env.MISSING' } }, {});
    expect(result.problems).toEqual([
      {
        pointer: '/authorizer/secret',
        severity: 'error',
        message: 'references $env.MISSING but the variable MISSING is not set',
      },
    ]);
  });

  it('a variable referenced both as $secret and as $env stays a secret, in either order', () => {
    for (const config of [
      { x: '$secret.S', y: '$env.S' },
      { x: '$env.S', y: '$secret.S' },
    ]) {
      expect(resolveReferences(config, { S: 'shh' }).referenced.get('S')).toBe('secret');
    }
  });
});
