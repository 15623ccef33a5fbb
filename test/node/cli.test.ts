import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthAndProxyConfig, writeConfigFile } from '../fixtures/config-files.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { runGatehouse, startGatehouseProcess } from '../helpers/cli-process.js';

let dir: string;
let upstream: RecordingUpstream;

const baseConfig = healthAndProxyConfig;

const writeConfig = (name: string, config: unknown): Promise<string> => writeConfigFile(dir, name, config);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-cli-'));
  upstream = await startRecordingUpstream();
});
afterAll(async () => {
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

describe('gatehouse start', () => {
  it('prints its URL, serves the config, and exits 0 after draining on SIGTERM', async () => {
    const file = await writeConfig('start.json', baseConfig(upstream.url));
    const gatehouse = await startGatehouseProcess(['--config', file]);
    expect(gatehouse.output().stdout).toMatch(/^Gatehouse listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(await (await fetch(`${gatehouse.url}/health`)).json()).toEqual({ status: 'ok' });

    const inFlight = fetch(`${gatehouse.url}/up/slow/600`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const exit = gatehouse.stop();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await exit).toBe(0);
  });

  it('refuses an invalid config before listening, with one line per problem', async () => {
    const file = await writeConfig('invalid.json', {
      paths: [{ method: 'GET', path: '/x', auth: true, integration: { type: 'http_proxy', server: 'nope' } }],
    });
    const result = await runGatehouse(['start', '--config', file, '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('http://');
    expect(result.stderr).toContain('/paths/0/auth:');
    expect(result.stderr).toContain('/paths/0/integration/server: no servers entry has alias "nope"');
  });

  it('resolves $env references from --env-file', async () => {
    const file = await writeConfig('env.json', {
      servers: [{ alias: 'up', url: '$env.UPSTREAM_FROM_FILE' }],
      paths: [{ method: 'GET', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } }],
    });
    const envFile = await writeConfig('test.env', `UPSTREAM_FROM_FILE=${upstream.url}\n`);
    const gatehouse = await startGatehouseProcess(['--config', file, '--env-file', envFile]);
    upstream.reset();
    expect((await fetch(`${gatehouse.url}/up/via-env`)).status).toBe(200);
    expect(upstream.requests[0]?.url).toBe('/via-env');
    expect(await gatehouse.stop()).toBe(0);
  });

  it('reads SAG_API_CONFIG_JSON when no --config is given', async () => {
    const gatehouse = await startGatehouseProcess([], {
      SAG_API_CONFIG_JSON: JSON.stringify(baseConfig(upstream.url)),
    });
    expect((await fetch(`${gatehouse.url}/health`)).status).toBe(200);
    expect(await gatehouse.stop()).toBe(0);
  });

  it('serves from the config compiled at start: requests never re-read the file (compat row 1)', async () => {
    const file = await writeConfig('read-once.json', baseConfig(upstream.url));
    const gatehouse = await startGatehouseProcess(['--config', file]);
    await rm(file);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 3; i++) expect((await fetch(`${gatehouse.url}/health`)).status).toBe(200);
    expect(await gatehouse.stop()).toBe(0);
  });

  it('reloads an edited config and keeps the old one when the edit is invalid', async () => {
    const file = await writeConfig('reload.json', baseConfig(upstream.url));
    const gatehouse = await startGatehouseProcess(['--config', file]);
    expect((await fetch(`${gatehouse.url}/added`)).status).toBe(404);

    const edited = baseConfig(upstream.url);
    edited.paths.push({ method: 'GET', path: '/added', response: { added: true } });
    await writeFile(file, JSON.stringify(edited));
    await waitForStatus(`${gatehouse.url}/added`, 200);

    await writeFile(file, '{ "paths": [ { "method": "GOT", "path": "/broken" } ] }');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await fetch(`${gatehouse.url}/added`)).status).toBe(200);
    expect((await fetch(`${gatehouse.url}/broken`)).status).toBe(404);
    expect(await gatehouse.stop()).toBe(0);
  });
});

describe('gatehouse validate', () => {
  it('exits 0 for a valid config', async () => {
    const file = await writeConfig('valid.json', baseConfig(upstream.url));
    const result = await runGatehouse(['validate', '--config', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('valid (2 routes)');
  });

  it('exits 1 with a JSON pointer and a did-you-mean for unknown keys', async () => {
    const file = await writeConfig('typo.json', {
      paths: [{ method: 'GET', path: '/x', respons: {} }],
      authorizer: { type: 'jwt', secret: '$env.MISSING_SECRET_FOR_TEST' },
    });
    const result = await runGatehouse(['validate', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/paths/0/respons: unknown key "respons" (did you mean "response"?)');
    expect(result.stderr).toContain(
      '/authorizer/secret: references $env.MISSING_SECRET_FOR_TEST but the variable MISSING_SECRET_FOR_TEST is not set',
    );
  });

  it('reports legacy spellings as deprecation warnings', async () => {
    const file = await writeConfig('legacy.json', {
      servers: [{ alias: 'up', url: upstream.url }],
      paths: [{ method: 'GET', path: '/x', integration: { type: 'http', server: 'up' } }],
    });
    const result = await runGatehouse(['validate', '--config', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'warning: /paths/0/integration/type: deprecated type "http": use "http_proxy"',
    );
  });
});

describe('gatehouse schema', () => {
  it('prints the JSON Schema, identical to the committed copy', async () => {
    const result = await runGatehouse(['schema']);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const committed = JSON.parse(
      await readFile(new URL('../../schema/api-config.schema.json', import.meta.url), 'utf8'),
    );
    expect(printed, 'schema/api-config.schema.json drifted: run `npm run schema`').toEqual(committed);
  });
});

describe('gatehouse routes', () => {
  it('prints the table in precedence order and explains a winner', async () => {
    const file = await writeConfig('routes.json', {
      paths: [
        { method: 'GET', path: '/items/{.+}', response: {} },
        { method: 'GET', path: '/items/{id}', response: {} },
        { method: 'GET', path: '/items/special', response: {} },
      ],
    });
    const table = await runGatehouse(['routes', '--config', file]);
    expect(table.code).toBe(0);
    const order = table.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/)[1]);
    expect(order).toEqual(['/items/special', '/items/{id}', '/items/{.+}']);

    const explained = await runGatehouse(['routes', '--config', file, 'GET', '/items/42']);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('/items/{id}');
  });
});

async function waitForStatus(url: string, status: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await fetch(url)).status !== status) {
    if (Date.now() > deadline) throw new Error(`${url} never answered ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
