import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../../config/problems.js';
import { BindingLoadError, loadBindingModules, loadServiceModules, parseBindingFlag } from './services.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/services/', import.meta.url));

describe('parseBindingFlag', () => {
  it('splits NAME=PATH at the first =', () => {
    expect(parseBindingFlag('HOOKS=./a=b.mjs')).toEqual({ name: 'HOOKS', path: './a=b.mjs' });
  });

  it.each(['HOOKS', '=x.mjs', 'HOOKS=', '1X=x.mjs', 'my-binding=x.mjs'])('refuses %j', (flag) => {
    expect(parseBindingFlag(flag)).toHaveProperty('error');
  });
});

describe('loadBindingModules', () => {
  it('uses named function exports, else the default object or one instance of the default class', async () => {
    const bindings = await loadBindingModules(
      [
        { name: 'NAMED', path: 'hooks-binding.mjs' },
        { name: 'CLASS', path: 'class-binding.mjs' },
        { name: 'OBJECT', path: 'object-service.mjs' },
      ],
      FIXTURES,
    );
    expect(typeof (bindings.NAMED as Record<string, unknown>).allow).toBe('function');
    expect((bindings.CLASS as { greeting: string }).greeting).toBe('hello');
    expect(typeof (bindings.OBJECT as Record<string, unknown>).fetch).toBe('function');
  });

  it('refuses a duplicate name, a missing file and a module without functions', async () => {
    const cases = [
      [
        { name: 'A', path: 'class-binding.mjs' },
        { name: 'A', path: 'class-binding.mjs' },
      ],
      [{ name: 'A', path: 'nothing-here.mjs' }],
      [{ name: 'A', path: 'broken-module.mjs' }],
    ];
    const messages: string[] = [];
    for (const specs of cases) {
      const error = await loadBindingModules(specs, FIXTURES).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BindingLoadError);
      messages.push((error as Error).message);
    }
    expect(messages[0]).toBe('--binding A is given twice');
    expect(messages[1]).toBe(`--binding A: module file not found: ${FIXTURES}nothing-here.mjs`);
    expect(messages[2]).toMatch(/^--binding A: cannot load .*broken-module\.mjs: broken on import$/);
  });
});

describe('loadServiceModules', () => {
  it('keys modules by the entrypoint as written, resolved against the base directory', async () => {
    const modules = await loadServiceModules(
      { services: [{ alias: 's', entrypoint: './object-service.mjs' }], paths: [] },
      FIXTURES,
    );
    expect(Object.keys(modules)).toEqual(['./object-service.mjs']);
  });

  it('reports every entrypoint that cannot be loaded', async () => {
    const error = await loadServiceModules(
      {
        services: [
          { alias: 'a', entrypoint: './missing.mjs' },
          { alias: 'b', entrypoint: '.' },
        ],
        paths: [],
      },
      FIXTURES,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigInvalidError);
    expect((error as ConfigInvalidError).problems.map((p) => p.pointer)).toEqual([
      '/services/0/entrypoint',
      '/services/1/entrypoint',
    ]);
  });
});
