import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeTarget, type GatewayTarget } from '../helpers/targets.js';

/**
 * `$request.ip` is the gateway's resolved client address (docs/TRAFFIC.md "Client address"):
 * a client-sent X-Forwarded-For never splits a per-IP bucket, and behind a proxy listed in
 * `gateway.trusted_proxies` each forwarded client has its own bucket.
 */
const config = (trusted: string[] | undefined): object => ({
  rate_limits: { per_ip: { limit: 2, window_s: 60, key: ['$request.ip'] } },
  ...(trusted ? { gateway: { trusted_proxies: trusted } } : {}),
  paths: [{ method: 'GET', path: '/ip', rate_limit: 'per_ip', response: { ok: true } }],
});

let edge: GatewayTarget;
let behindProxy: GatewayTarget;
beforeAll(async () => {
  edge = await startNodeTarget(config(undefined), {});
  behindProxy = await startNodeTarget(config(['127.0.0.1/32', '::1/128']), {});
});
afterAll(async () => {
  await edge?.close();
  await behindProxy?.close();
});

const status = async (target: GatewayTarget, xff: string): Promise<number> =>
  (await fetch(`${target.url}/ip`, { headers: { 'x-forwarded-for': xff } })).status;

describe('$request.ip under the trust model', () => {
  it('as the edge, a spoofed X-Forwarded-For does not escape the per-IP limit', async () => {
    expect([
      await status(edge, '198.51.100.1'),
      await status(edge, '198.51.100.2'),
      await status(edge, '198.51.100.3'),
    ]).toEqual([200, 200, 429]);
  });

  it('behind a trusted proxy, each forwarded client is counted apart', async () => {
    expect([
      await status(behindProxy, '203.0.113.1'),
      await status(behindProxy, '203.0.113.1'),
      await status(behindProxy, '203.0.113.1'),
    ]).toEqual([200, 200, 429]);
    expect(await status(behindProxy, '203.0.113.2')).toBe(200);
  });
});
