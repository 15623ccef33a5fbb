import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { family, parseExposition, sampleKey } from '../helpers/prometheus-text.js';

/** `gatehouse_rate_limited_total{policy}`: each 429 of a rate-limit policy, by the policy's name. */
let gatehouse: RunningGatehouse;

beforeAll(async () => {
  gatehouse = await startGatehouse({
    source: inlineConfigSource({
      rate_limits: { tiny: { limit: 2, window_s: 60, key: ['$request.ip'] } },
      paths: [
        { method: 'GET', path: '/limited', rate_limit: 'tiny', response: { ok: true } },
        { method: 'GET', path: '/open', response: { ok: true } },
      ],
    }),
    env: {},
    port: 0,
    admin: { port: 0 },
  });
});
afterAll(async () => {
  await gatehouse?.close(200);
});

describe('rate-limited requests as a metric', () => {
  it('counts every 429 under its policy, and nothing else', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${gatehouse.url}/limited`)).status);
    await fetch(`${gatehouse.url}/open`);
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    const samples = parseExposition(await (await fetch(`${gatehouse.adminUrl as string}/metrics`)).text());
    expect(family(samples, 'gatehouse_rate_limited_total')).toEqual({
      [sampleKey('gatehouse_rate_limited_total', { policy: 'tiny' })]: 3,
    });
    expect(
      samples.get(sampleKey('gatehouse_requests_total', { route: '/limited', method: 'GET', status: '429' })),
    ).toBe(3);
  });
});
