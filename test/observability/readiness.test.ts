import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { startJwksServer, type JwksServer } from '../fixtures/jwks-server.js';
import { createKeyPair, type TestKeyPair } from '../fixtures/keys.js';
import { runGatehouse, startGatehouseProcess } from '../helpers/cli-process.js';
import { parseExposition, sampleKey } from '../helpers/prometheus-text.js';

/**
 * Health and readiness on the admin listener, and the listener itself through `gatehouse start`:
 * readiness follows the key sets that routes need (503 naming the set while it cannot be
 * fetched, 200 as soon as it can), `/healthz` answers whenever the process does.
 */
let jwks: JwksServer;
let rsa: TestKeyPair;
const running: RunningGatehouse[] = [];
let dir: string;

beforeAll(async () => {
  rsa = await createKeyPair('RS256', 'ready-key');
  jwks = await startJwksServer([rsa.publicJwk]);
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-obs-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((gatehouse) => gatehouse.close(200)));
  jwks.setMode({ kind: 'normal' });
});

afterAll(async () => {
  await jwks?.close();
  await rm(dir, { recursive: true, force: true });
});

function config(extra: object = {}): Record<string, unknown> {
  return {
    authorizers: {
      remote: { type: 'jwt', jwks_uri: jwks.jwksUrl, algorithms: ['RS256'] },
      // Never used by a route: its key set does not count for readiness.
      unused: { type: 'jwt', jwks_uri: 'http://127.0.0.1:1/jwks.json', algorithms: ['RS256'] },
    },
    paths: [
      { method: 'GET', path: '/open', response: { ok: true } },
      { method: 'GET', path: '/secure', auth: 'remote', response: { ok: true } },
    ],
    ...extra,
  };
}

async function start(): Promise<RunningGatehouse> {
  const gatehouse = await startGatehouse({
    source: inlineConfigSource(config()),
    env: {},
    port: 0,
    admin: { port: 0 },
  });
  running.push(gatehouse);
  return gatehouse;
}

async function readyz(admin: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${admin}/readyz`);
  expect(response.headers.get('content-type')).toBe('application/json');
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function eventually<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 8_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('readiness', () => {
  it('is 503 naming the key set while it cannot be fetched, and 200 once it can', async () => {
    jwks.setMode({ kind: 'failing', status: 500 });
    const gatehouse = await start();
    const admin = gatehouse.adminUrl as string;

    const down = await eventually(
      () => readyz(admin),
      (r) => r.status === 503,
    );
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'not ready',
      ready: false,
      notReady: ['key_set:remote'],
      checks: { config: { ready: true }, 'key_set:remote': { ready: false } },
    });
    expect(
      String((down.body.checks as Record<string, { detail?: string }>)['key_set:remote']?.detail),
    ).toContain('HTTP 500');
    // The process itself is healthy all along.
    expect((await fetch(`${admin}/healthz`)).status).toBe(200);

    jwks.setMode({ kind: 'normal' });
    const up = await eventually(
      () => readyz(admin),
      (r) => r.status === 200,
    );
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ status: 'ready', ready: true, notReady: [] });
    expect((up.body.checks as Record<string, { detail?: string }>)['key_set:remote']?.detail).toBe(
      jwks.jwksUrl,
    );

    // The metrics saw both outcomes.
    const samples = parseExposition(await (await fetch(`${admin}/metrics`)).text());
    expect(
      samples.get(sampleKey('gatehouse_key_set_fetches_total', { authorizer: 'remote', outcome: 'error' })),
    ).toBeGreaterThanOrEqual(1);
    expect(
      samples.get(sampleKey('gatehouse_key_set_fetches_total', { authorizer: 'remote', outcome: 'ok' })),
    ).toBe(1);
    // No route uses `unused`: its key set was never fetched, so no fetch of it is counted.
    expect([...samples.keys()].some((key) => key.includes('authorizer="unused"'))).toBe(false);
  });

  it('is 200 right away when no route needs a remote key set', async () => {
    const gatehouse = await startGatehouse({
      source: inlineConfigSource({ paths: [{ method: 'GET', path: '/open', response: { ok: true } }] }),
      env: {},
      port: 0,
      admin: { port: 0, host: '127.0.0.1' },
    });
    running.push(gatehouse);
    const ready = await readyz(gatehouse.adminUrl as string);
    expect(ready).toEqual({
      status: 200,
      body: { status: 'ready', ready: true, notReady: [], checks: { config: { ready: true } } },
    });
  });

  it('has no admin listener unless one is configured', async () => {
    const gatehouse = await startGatehouse({ source: inlineConfigSource(config()), env: {}, port: 0 });
    running.push(gatehouse);
    expect(gatehouse.adminUrl).toBeUndefined();
    expect((await fetch(`${gatehouse.url}/readyz`)).status).toBe(404);
  });
});

describe('gatehouse start with an admin listener', () => {
  it('serves /metrics, /healthz and /readyz on --admin-port, apart from the public port', async () => {
    const file = join(dir, 'api-config.json');
    await writeFile(file, JSON.stringify(config()));
    const started = await startGatehouseProcess(['--config', file, '--admin-port', '0']);
    try {
      const admin = await eventually(
        async () => /Admin listener on (http:\/\/[\d.]+:\d+)/.exec(started.output().stdout)?.[1],
        (url) => url !== undefined,
      );
      expect(admin).toBeDefined();
      expect(admin).not.toBe(started.url);
      expect(admin).toMatch(/^http:\/\/127\.0\.0\.1:/);
      expect((await fetch(`${started.url}/open`)).status).toBe(200);
      expect((await fetch(`${started.url}/secure`)).status).toBe(401);
      expect(await (await fetch(`${admin}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(
        (
          await eventually(
            () => readyz(admin as string),
            (r) => r.status === 200,
          )
        ).status,
      ).toBe(200);
      const samples = parseExposition(await (await fetch(`${admin}/metrics`)).text());
      expect(
        samples.get(sampleKey('gatehouse_requests_total', { route: '/open', method: 'GET', status: '200' })),
      ).toBe(1);
      expect(
        samples.get(sampleKey('gatehouse_auth_failures_total', { authorizer: 'remote', code: 'AUTH_ERROR' })),
      ).toBe(1);
    } finally {
      expect(await started.stop()).toBe(0);
    }
  });

  it('takes the admin listener from gateway.admin in the config', async () => {
    const file = join(dir, 'with-admin.json');
    await writeFile(file, JSON.stringify(config({ gateway: { admin: { port: 0, host: '127.0.0.1' } } })));
    const started = await startGatehouseProcess(['--config', file]);
    try {
      const admin = await eventually(
        async () => /Admin listener on (http:\/\/[\d.]+:\d+)/.exec(started.output().stdout)?.[1],
        (url) => url !== undefined,
      );
      expect((await fetch(`${admin as string}/healthz`)).status).toBe(200);
    } finally {
      await started.stop();
    }
  });

  it('refuses an admin port equal to the public port, and bad values', async () => {
    const file = join(dir, 'plain.json');
    await writeFile(file, JSON.stringify(config()));
    const same = await runGatehouse(['start', '--config', file, '--port', '18555', '--admin-port', '18555']);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('--admin-port 18555 is the public port');
    const bad = await runGatehouse(['start', '--config', file, '--admin-port', 'eighty']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --admin-port "eighty"');
    const hostOnly = await runGatehouse(['start', '--config', file, '--admin-host', '0.0.0.0']);
    expect(hostOnly.code).toBe(2);
    expect(hostOnly.stderr).toContain('--admin-host needs --admin-port');
  });

  it('refuses an unknown key under gateway.admin with a config error', async () => {
    const file = join(dir, 'bad-admin.json');
    await writeFile(file, JSON.stringify(config({ gateway: { admin: { port: 9100, bind: '0.0.0.0' } } })));
    const result = await runGatehouse(['validate', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/gateway/admin');
  });
});
