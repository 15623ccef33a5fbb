import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildWorker } from '../../scripts/build-worker.mjs';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { startWorkerd, type RunningWorkerd } from '../helpers/workerd-target.js';

/**
 * The Worker's config sources in real workerd (docs/CONFIG.md "Loading, once"): the
 * SAG_API_CONFIG_JSON var, else KV `CONFIG`/`api-config.json` (re-read, recompiled on change),
 * else the bundled file; and an invalid config answered 500 ERR_CONFIG_INVALID.
 */
const CONFIG_INVALID = { error: 'Gateway configuration is invalid', code: 'ERR_CONFIG_INVALID' };

const labelled = (label: string): object => ({
  paths: [{ method: 'GET', path: '/which', response: { config: label } }],
});

async function which(worker: RunningWorkerd): Promise<unknown> {
  const response = await fetch(`${worker.url}/which`);
  return response.status === 200 ? ((await response.json()) as { config: unknown }).config : response.status;
}

async function eventually(condition: () => Promise<boolean>, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The Worker's CONFIG namespace (Miniflare's types need @cloudflare/workers-types, not installed). */
interface TestKv {
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}
const kvOf = async (worker: RunningWorkerd): Promise<TestKv> =>
  (await worker.miniflare.getKVNamespace('CONFIG')) as unknown as TestKv;

const loadedCount = (worker: RunningWorkerd): number =>
  worker.logs.filter((line) => line.includes('"msg":"config loaded"')).length;

// Starting workerd takes about 2 s: every scenario's Worker is started at once, up front.
let upstream: RecordingUpstream;
let dir: string;
const workers: Record<string, RunningWorkerd> = {};
beforeAll(async () => {
  upstream = await startRecordingUpstream();
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-worker-'));
  const withoutConfig = await buildWorker({ config: 'none', outfile: join(dir, 'index.js') });
  const invalid = {
    servers: [{ alias: 'up', url: upstream.url }],
    paths: [
      { method: 'GET', path: '/health', response: { status: 'ok' } },
      { method: 'ANY', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } },
      { method: 'GET', path: '/secret', auth: true, response: {} },
    ],
    authorizer: { type: 'jwt', secret: '$secret.MISSING_SECRET', algorithm: 'HS256' },
  };
  const scenarios: Record<string, Parameters<typeof startWorkerd>[0]> = {
    invalid: { bindings: { SAG_API_CONFIG_JSON: JSON.stringify(invalid) } },
    // A blank var is no config: the KV namespace is the source.
    kv: { bindings: { SAG_API_CONFIG_JSON: '  ', GATEHOUSE_KV_REFRESH_MS: '200' }, kvNamespaces: ['CONFIG'] },
    order: {
      bindings: { SAG_API_CONFIG_JSON: JSON.stringify(labelled('var')), GATEHOUSE_KV_REFRESH_MS: '0' },
      kvNamespaces: ['CONFIG'],
    },
    bundled: {},
    none: { scriptPath: withoutConfig.outfile },
  };
  await Promise.all(
    Object.entries(scenarios).map(async ([name, options]) => {
      workers[name] = await startWorkerd(options);
    }),
  );
});
afterAll(async () => {
  await Promise.all(Object.values(workers).map((worker) => worker.close()));
  await upstream?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeEach(() => upstream.reset());

describe('an invalid config', () => {
  let worker: RunningWorkerd;
  beforeAll(() => {
    worker = workers.invalid as RunningWorkerd;
  });

  it('answers every request 500 ERR_CONFIG_INVALID and forwards nothing', async () => {
    for (const [method, path] of [
      ['GET', '/health'],
      ['POST', '/up/orders'],
      ['GET', '/nowhere'],
    ] as const) {
      const response = await fetch(`${worker.url}${path}`, {
        method,
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect(response.status, path).toBe(500);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual(CONFIG_INVALID);
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('logs the problems, with the JSON pointer and the variable, and never the secret values', async () => {
    await fetch(`${worker.url}/health`);
    await eventually(async () => worker.logs.some((line) => line.includes('MISSING_SECRET')));
    const line = worker.logs.find((l) => l.includes('MISSING_SECRET')) ?? '';
    expect(JSON.parse(line)).toMatchObject({ level: 'error', msg: 'config invalid' });
    expect(line).toContain('/authorizer/secret');
  });
});

describe('the KV namespace CONFIG', () => {
  let worker: RunningWorkerd;
  let kv: TestKv;
  beforeAll(async () => {
    worker = workers.kv as RunningWorkerd;
    kv = await kvOf(worker);
  });

  it('serves api-config.json from KV, compiled once however many requests', async () => {
    await kv.put('api-config.json', JSON.stringify(labelled('kv-1')));
    for (let i = 0; i < 5; i++) expect(await which(worker)).toBe('kv-1');
    expect(loadedCount(worker)).toBe(1);
  });

  it('picks up a changed config after the re-read interval, without a redeploy', async () => {
    await kv.put('api-config.json', JSON.stringify(labelled('kv-2')));
    await eventually(async () => (await which(worker)) === 'kv-2');
    expect(loadedCount(worker)).toBe(2);
  });

  it('keeps serving the last good config when the new text is invalid, and logs why', async () => {
    await kv.put('api-config.json', '{"paths": [ not json');
    await eventually(async () => {
      await which(worker);
      return worker.logs.some((line) => line.includes('not valid JSON'));
    });
    for (let i = 0; i < 3; i++) expect(await which(worker)).toBe('kv-2');
    const line = worker.logs.find((l) => l.includes('not valid JSON')) ?? '';
    expect(JSON.parse(line)).toMatchObject({ msg: 'config invalid', serving: 'KV CONFIG/api-config.json' });
  });

  it('falls back to the bundled config when the key is deleted', async () => {
    await kv.delete('api-config.json');
    await eventually(async () => (await which(worker)) === 404);
    const health = await fetch(`${worker.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
  });
});

describe('source order', () => {
  let worker: RunningWorkerd;
  beforeAll(async () => {
    worker = workers.order as RunningWorkerd;
    const kv = await kvOf(worker);
    await kv.put('api-config.json', JSON.stringify(labelled('kv')));
  });

  it('the SAG_API_CONFIG_JSON var wins over KV (and over the bundled config)', async () => {
    expect(await which(worker)).toBe('var');
    expect(await which(worker)).toBe('var');
  });
});

describe('the bundled config', () => {
  let worker: RunningWorkerd;
  beforeAll(() => {
    worker = workers.bundled as RunningWorkerd;
  });

  it('serves the config bundled at build time when there is no var and no KV', async () => {
    const health = await fetch(`${worker.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    // The quick-start config (the build's default --config): its proxy route reaches the Worker's
    // own echo service through the server URL "/upstream", whatever port the Worker listens on.
    const route = await fetch(`${worker.url}/api/hello?x=1`);
    expect(route.status).toBe(200);
    expect(await route.json()).toMatchObject({
      upstream: 'the quick start echo service',
      path: '/upstream/hello',
      query: { x: '1' },
      headers: { 'x-forwarded-proto': 'http' },
    });
    expect(worker.logs.join('\n')).toContain('"source":"bundled config"');
  });
});

describe('no config at all', () => {
  let worker: RunningWorkerd;
  beforeAll(() => {
    worker = workers.none as RunningWorkerd;
  });

  it('is an invalid config: 500 ERR_CONFIG_INVALID naming the three sources in the log', async () => {
    const response = await fetch(`${worker.url}/health`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual(CONFIG_INVALID);
    await eventually(async () => worker.logs.some((line) => line.includes('no configuration')));
    expect(worker.logs.join('\n')).toContain('SAG_API_CONFIG_JSON');
  });
});
