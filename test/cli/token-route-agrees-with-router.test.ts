import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { randomSecret } from '../fixtures/keys.js';

/**
 * `gatehouse token check --route` and `gatehouse routes` answer "which route serves this
 * request" with the one compiled router (issue 8 item 4). Before, `token check` had its own
 * matcher: with `GET /items/{.+}` (authorizer a) and `GET /items/{id}` (authorizer b) it checked
 * `GET /items/42` against `{.+}` and found no route at all for `GET /items`.
 */
const CONFIG = {
  authorizers: {
    a: { type: 'jwt', secret: randomSecret() },
    b: { type: 'jwt', secret: randomSecret() },
    c: { type: 'jwt', secret: randomSecret() },
  },
  paths: [
    { method: 'GET', path: '/items/{.+}', auth: 'a' },
    { method: 'GET', path: '/items/{id}', auth: 'b' },
    { method: 'GET', path: '/items/new', auth: 'c' },
    { method: 'ANY', path: '/items/{id}/parts/{part}', auth: 'a' },
    { method: 'GET', path: '/items/{id}/parts/{.+}', auth: 'b' },
    { method: 'GET', path: '/{section}/latest', auth: 'c' },
    { method: 'GET', path: '/{.+}', auth: 'a' },
  ],
};

let dir: string;
let configPath: string;
let tokenOfB: string;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The pattern `routes METHOD PATH` names as the winner, e.g. `GET /items/{id}`. */
async function routesWinner(method: string, path: string): Promise<string> {
  const { stdout } = await cli('routes', '--config', configPath, method, path);
  const match = / → #\d+ (\S+ \S+)/.exec(stdout.split('\n')[0] ?? '');
  if (!match?.[1]) throw new Error(`no winner in: ${stdout}`);
  return match[1];
}

function checkTokenOfB(route: string): ReturnType<typeof cli> {
  return cli('token', 'check', '--config', configPath, '--token', tokenOfB, '--route', route);
}

/** The route and authorizer `token check --route` uses. */
async function tokenCheckTarget(
  method: string,
  path: string,
): Promise<{ route: string; authorizer: string; exit: number }> {
  const { code, stdout, stderr } = await checkTokenOfB(`${method} ${path}`);
  const match = /token check against authorizer "(\w+)" \(jwt\) for route (\S+ \S+)/.exec(stdout);
  if (!match?.[1] || !match[2]) throw new Error(`no target in: ${stdout}${stderr}`);
  return { authorizer: match[1], route: match[2], exit: code };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-token-route-'));
  configPath = join(dir, 'api-config.json');
  await writeFile(configPath, JSON.stringify(CONFIG));
  const minted = await cli('token', 'mint', '--config', configPath, '--authorizer', 'b', '--sub', 'u1');
  expect(minted.code).toBe(0);
  tokenOfB = minted.stdout.trim();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('token check --route uses the compiled router', () => {
  it.each([
    // GET /items/42 is checked against {id} (authorizer b, so b's token passes), as the router decides.
    ['/items/42', 'GET /items/{id}', 'b', 0],
    // GET /items is served by the wildcard route {.+} (authorizer a), not "no route matches".
    ['/items', 'GET /items/{.+}', 'a', 1],
  ])('GET %s → %s, authorizer %s (exit %i for a token of b)', async (path, route, authorizer, exit) => {
    expect(await routesWinner('GET', path)).toBe(route);
    expect(await tokenCheckTarget('GET', path)).toEqual({ route, authorizer, exit });
  });

  it.each([
    ['GET', '/items/42'],
    ['GET', '/items'],
    ['GET', '/items/new'],
    ['GET', '/items/42/more/deeper'],
    ['GET', '/items/42/parts/7'],
    ['POST', '/items/42/parts/7'],
    ['GET', '/items/42/parts/7/8'],
    ['HEAD', '/items/42'],
    ['GET', '/news/latest'],
    ['GET', '/items/latest'],
    ['GET', '/'],
    ['GET', '/items/%7E42/./x/..'],
  ])('%s %s: token check and routes pick the same route', async (method, path) => {
    const winner = await routesWinner(method, path);
    expect((await tokenCheckTarget(method, path)).route).toBe(winner);
  });

  it('a request no route serves is a usage error (exit 2) for token check and exit 1 for routes', async () => {
    const routes = await cli('routes', '--config', configPath, 'POST', '/items/42');
    expect(routes.code).toBe(1);
    const check = await checkTokenOfB('POST /items/42');
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('no route serves POST /items/42 (Allow: GET, HEAD)');
  });
});
