import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineConfigSource, startGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import { compileFromSource } from '../../src/adapters/node/runtime.js';
import { ConfigInvalidError, formatProblem } from '../../src/config/problems.js';
import { offlinePlatform } from '../../src/cli/offline-platform.js';
import { runGatehouse, startGatehouseProcess } from '../helpers/cli-process.js';

/**
 * Mistakes in services, bindings and hooks are config errors before anything serves, each
 * naming its JSON pointer — never a 404 or 500 on the first request (docs/COMPAT.md row 13).
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/services/', import.meta.url));
const HOOKS = `${FIXTURES}hooks-binding.mjs`;

const hookRoute = (fn: string): object => ({
  method: 'GET',
  path: '/h',
  pre_process: { binding: 'hooks', function: fn },
  response: {},
});
const withHooks = (paths: object[]): object => ({
  serviceBindings: [{ alias: 'hooks', binding: 'HOOKS' }],
  paths,
});

/** Problems `startGatehouse` refuses the config with, as `validate` prints them. */
async function startProblems(
  config: object,
  options: { bindings?: Record<string, string>; baseDir?: string } = {},
): Promise<string[]> {
  try {
    const running = await startGatehouse({
      source: inlineConfigSource(config, options.baseDir ?? FIXTURES),
      env: {},
      port: 0,
      bindingModules: Object.entries(options.bindings ?? {}).map(([name, path]) => ({ name, path })),
    });
    await running.close(100);
  } catch (error) {
    if (error instanceof ConfigInvalidError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error('the config was accepted');
}

describe('service and binding config errors', () => {
  it('refuses an unknown service alias', { timeout: 5_000 }, async () => {
    const problems = await startProblems({
      paths: [{ method: 'GET', path: '/s', integration: { type: 'service', binding: 'nope' } }],
    });
    expect(problems).toEqual(['/paths/0/integration/binding: no services entry has alias "nope"']);
  });

  it('refuses an unknown serviceBindings alias in an integration or a hook', { timeout: 5_000 }, async () => {
    const problems = await startProblems({
      paths: [
        { method: 'GET', path: '/a', integration: { type: 'service_binding', binding: 'x', function: 'f' } },
        { method: 'GET', path: '/b', pre_process: { binding: 'y', function: 'f' }, response: {} },
      ],
    });
    expect(problems).toEqual([
      '/paths/0/integration/binding: no serviceBindings entry has alias "x"',
      '/paths/1/pre_process/binding: no serviceBindings entry has alias "y"',
    ]);
  });

  it('names a missing entrypoint file', { timeout: 5_000 }, async () => {
    const problems = await startProblems({
      services: [{ alias: 's', entrypoint: './does-not-exist.mjs' }],
      paths: [{ method: 'GET', path: '/s', integration: { type: 'service', binding: 's' } }],
    });
    expect(problems).toEqual([
      `/services/0/entrypoint: module file not found; tried ${join(FIXTURES, 'does-not-exist.mjs')}, ${join(FIXTURES, 'does-not-exist.mjs.js')}, ${join(FIXTURES, 'does-not-exist.mjs.mjs')}`,
    ]);
  });

  it(
    'resolves an entrypoint without extension as written, then .js, then .mjs',
    { timeout: 5_000 },
    async () => {
      // The Serverless API Gateway's own configs write "./services/endpoint1" for endpoint1.js.
      const running = await startGatehouse({
        source: inlineConfigSource(
          {
            services: [{ alias: 's', entrypoint: './result-service' }],
            paths: [{ method: 'GET', path: '/s/{kind}', integration: { type: 'service', binding: 's' } }],
          },
          FIXTURES,
        ),
        env: {},
        port: 0,
      });
      try {
        expect(await (await fetch(`${running.url}/s/string`)).text()).toBe('plain text');
      } finally {
        await running.close(100);
      }
    },
  );

  it('names a module that throws while loading', { timeout: 5_000 }, async () => {
    const problems = await startProblems({
      services: [{ alias: 's', entrypoint: './broken-module.mjs' }],
      paths: [],
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^\/services\/0\/entrypoint: cannot load .*broken-module\.mjs: broken on import$/,
    );
  });

  it('refuses a module whose default export has no fetch', { timeout: 5_000 }, async () => {
    const problems = await startProblems({
      services: [{ alias: 's', entrypoint: './not-a-service.mjs' }],
      paths: [],
    });
    expect(problems).toEqual([
      '/services/0/entrypoint: the default export of "./not-a-service.mjs" must be a class with fetch(request, env, ctx) or an object with fetch',
    ]);
  });

  it('refuses a binding the runtime does not provide, naming it', { timeout: 5_000 }, async () => {
    const problems = await startProblems(withHooks([hookRoute('allow')]));
    expect(problems).toEqual([
      '/serviceBindings/0/binding: binding "HOOKS" is not provided (Node: start with --binding HOOKS=PATH; Workers: declare the service binding in the wrangler config)',
    ]);
  });

  it('refuses a function the binding does not have', { timeout: 5_000 }, async () => {
    const problems = await startProblems(
      withHooks([
        hookRoute('nope'),
        {
          method: 'GET',
          path: '/f',
          integration: { type: 'service_binding', binding: 'hooks', function: 'gone' },
        },
      ]),
      { bindings: { HOOKS } },
    );
    expect(problems).toEqual([
      '/paths/0/pre_process/function: binding "HOOKS" has no function "nope"',
      '/paths/1/integration/function: binding "HOOKS" has no function "gone"',
    ]);
  });

  it('only warns about a missing binding when compiling without serving', { timeout: 5_000 }, async () => {
    const compiled = await compileFromSource(
      inlineConfigSource(withHooks([hookRoute('allow')])),
      offlinePlatform({}),
      false,
    );
    expect(compiled.warnings.map(formatProblem)).toEqual([
      'warning: /serviceBindings/0/binding: binding "HOOKS" is not provided (Node: start with --binding HOOKS=PATH; Workers: declare the service binding in the wrangler config)',
    ]);
  });
});

describe('gatehouse CLI with services and --binding', () => {
  let dir: string;
  const write = async (name: string, config: object): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(config));
    return path;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-services-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('validate resolves entrypoints relative to the config file', { timeout: 20_000 }, async () => {
    const fromDir = relative(dir, FIXTURES);
    const good = await write('good.json', {
      services: [{ alias: 's', entrypoint: `${fromDir}/object-service.mjs` }],
      paths: [{ method: 'GET', path: '/s', integration: { type: 'service', binding: 's' } }],
    });
    const bad = await write('bad.json', {
      services: [{ alias: 's', entrypoint: './missing.mjs' }],
      paths: [{ method: 'GET', path: '/s', integration: { type: 'service', binding: 's' } }],
    });
    const ok = await runGatehouse(['validate', '--config', good]);
    expect(ok.code, ok.stderr).toBe(0);
    const refused = await runGatehouse(['validate', '--config', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `/services/0/entrypoint: module file not found; tried ${join(dir, 'missing.mjs')}, ${join(dir, 'missing.mjs.js')}, ${join(dir, 'missing.mjs.mjs')}`,
    );
  });

  it('start refuses a malformed --binding flag', { timeout: 20_000 }, async () => {
    const config = await write('plain.json', { paths: [{ method: 'GET', path: '/', response: {} }] });
    const result = await runGatehouse(['start', '--config', config, '--port', '0', '--binding', 'HOOKS']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --binding "HOOKS" (expected NAME=PATH');
  });

  it('start refuses a --binding module that cannot be loaded', { timeout: 20_000 }, async () => {
    const config = await write('plain2.json', { paths: [{ method: 'GET', path: '/', response: {} }] });
    const result = await runGatehouse([
      'start',
      '--config',
      config,
      '--port',
      '0',
      '--binding',
      `HOOKS=${join(dir, 'nothing.mjs')}`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--binding HOOKS: module file not found: ${join(dir, 'nothing.mjs')}`);
  });

  it('start refuses a config whose binding was not given', { timeout: 20_000 }, async () => {
    const result = await runGatehouse([
      'start',
      '--config',
      'examples/services/api-config.json',
      '--port',
      '0',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/serviceBindings/0/binding: binding "HOOKS" is not provided');
  });

  it('serves examples/services with --binding', { timeout: 20_000 }, async () => {
    const gatehouse = await startGatehouseProcess([
      '--config',
      'examples/services/api-config.json',
      '--binding',
      'HOOKS=examples/services/hooks.mjs',
    ]);
    try {
      const hello = await fetch(`${gatehouse.url}/hello/ada`);
      expect(await hello.json()).toMatchObject({ status: 'success', message: 'Hello, ada!' });
      expect((await fetch(`${gatehouse.url}/members/bob`)).status).toBe(403);
      const member = await fetch(`${gatehouse.url}/members/bob`, { headers: { 'x-member': 'yes' } });
      expect(await member.json()).toMatchObject({ message: 'Hello, bob!' });
      expect(await (await fetch(`${gatehouse.url}/time`)).json()).toMatchObject({ message: 'The time' });
      const club = await fetch(`${gatehouse.url}/club/status`, { headers: { 'x-member': 'yes' } });
      expect(await club.json()).toEqual({ status: 'ok' });
    } finally {
      expect(await gatehouse.stop()).toBe(0);
    }
  });
});
