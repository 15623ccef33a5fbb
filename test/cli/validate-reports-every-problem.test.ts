import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';

/**
 * `gatehouse validate` reports every problem of a file in its first run (issue 8 item 1): a
 * schema error in one route does not hide the semantic problems of the other routes, and bad
 * patterns in four routes are four lines.
 */
const MANY_ERRORS = {
  servers: [
    { alias: 'up', url: 'http://127.0.0.1:9' },
    { alias: 'up', url: 'http://127.0.0.1:10' },
  ],
  paths: [
    { method: 'GET', path: '/schema-error', status: 'two hundred' },
    { method: 'GET', path: 'no-slash' },
    { method: 'GET', path: '/a/{.+}/b' },
    { method: 'GET', path: '/b/{id}/{id}' },
    { method: 'GET', path: '/c?x=1' },
    { method: 'GET', path: '/proxy', integration: { type: 'http_proxy', server: 'nowhere' } },
    { method: 'GET', path: '/scoped', scopes: ['read'] },
    {
      method: 'GET',
      path: '/items/{id}',
      integration: { type: 'http_proxy', server: 'up' },
      mapping: { headers: { 'x-item': '$request.path.typo' } },
    },
    { method: 'GET', path: '/guarded', auth: 'missing' },
    { method: 'GETT', path: '/bad-method' },
  ],
};

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-validate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function validate(config: unknown): Promise<{ code: number; lines: string[] }> {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(config));
  const lines: string[] = [];
  const code = await runCli(['validate', '--config', file], {
    stdout: () => undefined,
    stderr: (text) => lines.push(...text.split('\n').filter(Boolean)),
  });
  return { code, lines };
}

describe('gatehouse validate reports every problem in one run', () => {
  it('schema errors and the semantic problems of the other routes, one line each', async () => {
    const { code, lines } = await validate(MANY_ERRORS);
    expect(code).toBe(1);
    const pointers = lines.map((line) => line.replace(/^warning: /, '').split(': ')[0]);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/paths/0/status',
        '/paths/9/method',
        '/servers/1/alias',
        '/paths/1/path',
        '/paths/2/path',
        '/paths/3/path',
        '/paths/4/path',
        '/paths/5/integration/server',
        '/paths/6/scopes',
        '/paths/7/mapping/headers/x-item',
        '/paths/8/auth',
      ]),
    );
    expect(lines.filter((line) => line.includes('/path: '))).toHaveLength(4);
    expect(lines.find((line) => line.startsWith('/paths/7/mapping'))).toContain(
      `"$request.path.typo": the route's path has no {typo} parameter`,
    );
  });

  it('a route the schema refused is not checked further (its schema error says what is wrong)', async () => {
    const { lines } = await validate({
      paths: [{ method: 'GETT', path: 'no-slash', scopes: ['x'] }],
    });
    expect(lines.some((line) => line.startsWith('/paths/0/method: '))).toBe(true);
    expect(lines.filter((line) => line.startsWith('/paths/0/scopes'))).toEqual([]);
  });

  it('$request.path.NAME naming a route parameter passes', async () => {
    const { code, lines } = await validate({
      servers: [{ alias: 'up', url: 'http://127.0.0.1:9' }],
      paths: [
        {
          method: 'GET',
          path: '/items/{id}',
          integration: { type: 'http_proxy', server: 'up' },
          mapping: { headers: { 'x-item': '$request.path.id' } },
        },
      ],
    });
    expect(lines).toEqual([]);
    expect(code).toBe(0);
  });
});

describe('an unknown key does not hide the rules of the object around it', () => {
  it('a typo next to "*" with credentials: both are reported', async () => {
    const { code, lines } = await validate({
      cors: { allow_origins: ['*'], allow_credentials: true, max_agee: 60 },
      paths: [{ method: 'GET', path: '/a', scopes: ['x'], statuss: 200 }],
    });
    expect(code).toBe(1);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/cors\/max_agee: unknown key "max_agee" \(did you mean "max_age"\?\)/),
        expect.stringMatching(/^\/cors\/allow_credentials: /),
        // On a route an unknown key is only a warning (docs/CONFIG.md "Unknown keys").
        expect.stringMatching(/^warning: \/paths\/0\/statuss: unknown key/),
        expect.stringMatching(/^\/paths\/0\/scopes: scopes need "auth"/),
      ]),
    );
  });
});

describe('problems only compiling finds are reported in the same run', () => {
  it('a service module that does not load beside a bad pattern and an unknown authorizer', async () => {
    const { code, lines } = await validate({
      services: [{ alias: 'svc', entrypoint: './no-such-module.mjs' }],
      paths: [
        { method: 'GET', path: '/svc', integration: { type: 'service', alias: 'svc' } },
        { method: 'GET', path: '/a/{.+}/b' },
        { method: 'GET', path: '/guarded', auth: 'missing' },
      ],
    });
    expect(code).toBe(1);
    const pointers = lines.map((line) => line.split(': ')[0]);
    expect(pointers).toEqual(
      expect.arrayContaining(['/services/0/entrypoint', '/paths/1/path', '/paths/2/auth']),
    );
  });
});
