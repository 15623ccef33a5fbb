import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGatehouse, startGatehouseProcess, type StartedGatehouse } from '../helpers/cli-process.js';

/**
 * README "A short tour", on a port that is not 8787 (`--port 0`): the quick start's upstream is
 * the gateway itself ("url": "/upstream"), so every step works wherever it listens, and the echo
 * service shows what was sent upstream.
 */
const CONFIG = fileURLToPath(new URL('../../examples/quickstart/api-config.json', import.meta.url));

let gatehouse: StartedGatehouse;
beforeAll(async () => {
  gatehouse = await startGatehouseProcess(['--config', CONFIG]);
});
afterAll(async () => {
  await gatehouse.stop();
});

interface Echo {
  upstream: string;
  path: string;
  headers: Record<string, string>;
}

describe('the quick start, on any port', () => {
  it('listens on the port it was given, not 8787', () => {
    expect(gatehouse.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gatehouse.url).not.toContain(':8787');
  });

  it('serves the static route and proxies /api/* to its own echo upstream', async () => {
    expect(await (await fetch(`${gatehouse.url}/health`)).json()).toEqual({ status: 'ok' });
    const echo = (await (await fetch(`${gatehouse.url}/api/hello`)).json()) as Echo;
    expect(echo.upstream).toBe('the quick start echo service');
    expect(echo.path).toBe('/upstream/hello');
    expect(echo.headers.host).toBe(new URL(gatehouse.url).host);
  });

  it('/me is 401 without a token, and with a minted one the echo shows x-user-id: alice', async () => {
    const refused = await fetch(`${gatehouse.url}/me`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'AUTH_ERROR' });

    const mint = await runGatehouse(['token', 'mint', '--config', CONFIG, '--sub', 'alice']);
    expect(mint.code, mint.stderr).toBe(0);
    const token = mint.stdout.trim();
    const response = await fetch(`${gatehouse.url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const echo = (await response.json()) as Echo;
    expect(echo.path).toBe('/upstream/me');
    expect(echo.headers['x-user-id']).toBe('alice');
    expect(echo.headers['x-region']).toBe('local');

    const check = await runGatehouse([
      'token',
      'check',
      '--config',
      CONFIG,
      '--token',
      token,
      '--route',
      'GET /me',
    ]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('verdict: ACCEPTED');
  });

  it('validates with its routes counted', async () => {
    const result = await runGatehouse(['validate', '--config', CONFIG]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('valid (4 routes)');
    expect(result.stderr).toBe('');
  });
});
