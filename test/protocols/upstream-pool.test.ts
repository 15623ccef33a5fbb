import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { startSwitchableUpstream, type SwitchableUpstream } from '../fixtures/switchable-upstream.js';

/**
 * Upstream pools through `gatehouse start` with real local upstreams (docs/PROTOCOLS.md
 * "Upstream pools"): health checks remove a URL answering 5xx or too slowly and re-add it,
 * the breaker opens on a killed URL and recovers through one probe, all URLs down is 503 at
 * once, least_requests avoids a busy URL.
 */

const INTERVAL = 150;
let a: SwitchableUpstream;
let b: SwitchableUpstream;
let gateway: RunningGatehouse;

beforeAll(async () => {
  a = await startSwitchableUpstream('a');
  b = await startSwitchableUpstream('b');
  gateway = await startGatehouse({
    source: inlineConfigSource({
      servers: [
        {
          alias: 'pool',
          url: [a.url, b.url],
          health_check: {
            path: '/health',
            interval_ms: INTERVAL,
            timeout_ms: 400,
            healthy_threshold: 1,
            unhealthy_threshold: 1,
          },
          circuit_breaker: { failures: 1, open_ms: 600 },
        },
      ],
      paths: [{ method: 'GET', path: '/{.+}', integration: { type: 'http_proxy', server: 'pool' } }],
    }),
    env: {},
    port: 0,
  });
});

afterEach(async () => {
  a.mode = 'ok';
  b.mode = 'ok';
  await a.revive().catch(() => undefined);
  await b.revive().catch(() => undefined);
  // Let both be probed healthy again before the next case.
  await settle();
});

afterAll(async () => {
  await gateway?.close(500);
  await a?.kill();
  await b?.kill();
});

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, INTERVAL * 3));

async function served(count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(await (await fetch(`${gateway.url}/x`)).text());
  return names;
}

describe('upstream pool on Node', () => {
  it('rotates over healthy URLs', async () => {
    await settle();
    expect((await served(4)).sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('a URL answering 5xx to its health check leaves within one interval, and comes back', async () => {
    b.mode = 'error';
    await settle();
    expect(await served(6)).toEqual(['a', 'a', 'a', 'a', 'a', 'a']);
    b.mode = 'ok';
    await settle();
    expect(await served(4)).toContain('b');
  });

  it('a URL whose health answer is slower than timeout_ms leaves the pool', async () => {
    b.mode = 'slow-health';
    // A probe fails only when its timeout_ms (400) passes: wait for interval + timeout, with margin.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await served(4)).toEqual(['a', 'a', 'a', 'a']);
  });

  it('a killed URL: its breaker opens on the first refused request, one probe later brings it back', async () => {
    await b.kill();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${gateway.url}/x`)).status);
    // At most one request met the dead URL (502) before its breaker (or health check) took it out.
    expect(statuses.filter((s) => s === 502).length).toBeLessThanOrEqual(1);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(5);
    await b.revive();
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await served(4)).toContain('b');
  });

  it('all URLs down: 503 ERR_UPSTREAM_UNAVAILABLE at once, without waiting on anyone', async () => {
    a.mode = 'error';
    b.mode = 'error';
    await settle();
    const started = Date.now();
    const response = await fetch(`${gateway.url}/x`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'ERR_UPSTREAM_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(a.hits + b.hits).toBeGreaterThan(0);
  });
});

describe('least_requests', () => {
  let slow: SwitchableUpstream;
  let fast: SwitchableUpstream;
  let lr: RunningGatehouse;
  beforeAll(async () => {
    slow = await startSwitchableUpstream('slow');
    fast = await startSwitchableUpstream('fast');
    lr = await startGatehouse({
      source: inlineConfigSource({
        servers: [{ alias: 'p', url: [slow.url, fast.url], balance: 'least_requests' }],
        paths: [{ method: 'GET', path: '/{.+}', integration: { type: 'http_proxy', server: 'p' } }],
      }),
      env: {},
      port: 0,
    });
  });
  afterAll(async () => {
    await lr?.close(500);
    await slow?.kill();
    await fast?.kill();
  });

  // The choice itself (fewest waiting, ties rotating) is pinned in src/proxy/targets.test.ts;
  // here: the balance works through the real entry point and spreads concurrent requests.
  it('spreads concurrent requests over both URLs', async () => {
    const answers = await Promise.all([1, 2, 3, 4].map(() => fetch(`${lr.url}/y`).then((r) => r.text())));
    expect(answers.filter((n) => n === 'slow').length).toBeGreaterThan(0);
    expect(answers.filter((n) => n === 'fast').length).toBeGreaterThan(0);
  });
});
