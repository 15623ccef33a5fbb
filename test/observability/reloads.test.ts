import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfigSource } from '../../src/adapters/node/config-source.js';
import { startGatehouse, type RunningGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import { family, parseExposition, sampleKey } from '../helpers/prometheus-text.js';

/**
 * Config reloads as metrics, through the runtime `gatehouse start` uses for its file watch:
 * `gatehouse_config_reloads_total{outcome}` counts accepted and refused reloads, and
 * `gatehouse_config_info` follows the config being served.
 */
let dir: string;
let file: string;
let gatehouse: RunningGatehouse;

const config = (routes: number): object => ({
  paths: Array.from({ length: routes }, (_, i) => ({ method: 'GET', path: `/r${i}`, response: { i } })),
});

async function scrape(): Promise<Map<string, number>> {
  return parseExposition(await (await fetch(`${gatehouse.adminUrl as string}/metrics`)).text());
}

function info(samples: Map<string, number>): string {
  const keys = Object.keys(family(samples, 'gatehouse_config_info'));
  expect(keys).toHaveLength(1);
  return keys[0] as string;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-reload-'));
  file = join(dir, 'api-config.json');
  await writeFile(file, JSON.stringify(config(2)));
  gatehouse = await startGatehouse({
    source: resolveConfigSource(file, {}),
    env: {},
    port: 0,
    admin: { port: 0 },
  });
});
afterAll(async () => {
  await gatehouse?.close(200);
  await rm(dir, { recursive: true, force: true });
});

describe('config reload metrics', () => {
  it('count accepted and refused reloads, and the info gauge follows the served config', async () => {
    const reloads = (outcome: string) => sampleKey('gatehouse_config_reloads_total', { outcome });
    let samples = await scrape();
    expect(samples.get(reloads('ok'))).toBe(0);
    expect(samples.get(reloads('refused'))).toBe(0);
    const first = info(samples);
    expect(first).toContain('routes="2"');

    await writeFile(file, JSON.stringify(config(3)));
    expect((await gatehouse.runtime.reload()).ok).toBe(true);
    samples = await scrape();
    expect(samples.get(reloads('ok'))).toBe(1);
    const second = info(samples);
    expect(second).toContain('routes="3"');
    expect(second.match(/hash="(\w+)"/)?.[1]).not.toBe(first.match(/hash="(\w+)"/)?.[1]);

    await writeFile(file, '{"paths": [ not json');
    expect((await gatehouse.runtime.reload()).ok).toBe(false);
    samples = await scrape();
    expect(samples.get(reloads('refused'))).toBe(1);
    expect(samples.get(reloads('ok'))).toBe(1);
    // The previous config keeps serving, and the info gauge says so.
    expect(info(samples)).toBe(second);
    expect((await fetch(`${gatehouse.url}/r2`)).status).toBe(200);
  });
});
