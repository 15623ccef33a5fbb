import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatehouseProcess, type StartedGatehouse } from '../helpers/cli-process.js';

/** examples/traffic through `gatehouse start`: the recipes of docs/TRAFFIC.md as one config. */
const CONFIG = fileURLToPath(new URL('../../examples/traffic/api-config.json', import.meta.url));

let gatehouse: StartedGatehouse;
beforeAll(async () => {
  gatehouse = await startGatehouseProcess(['--config', CONFIG]);
});
afterAll(async () => {
  await gatehouse?.stop();
});

interface Echo {
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

describe('examples/traffic', () => {
  it('maps the consumer of a demo key and never forwards the key', async () => {
    const response = await fetch(`${gatehouse.url}/orders/7`, { headers: { 'x-api-key': 'demo-acme-key' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-policy')).toBe('"per_ip";q=20;w=1, "gold";q=1000;w=60');
    const echo = (await response.json()) as Echo;
    expect(echo.headers['x-consumer']).toBe('acme');
    expect(echo.headers['x-plan']).toBe('gold');
    expect(echo.headers['x-api-key']).toBeUndefined();
  });

  it("the trial key's daily plan admits 3, then 429 with Retry-After", async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${gatehouse.url}/orders/${i}?api_key=demo-trial-key`);
      statuses.push(last.status);
      if (i < 3) {
        const echo = (await last.json()) as Echo;
        expect(echo.query).toEqual({});
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    // One request a day / 3 = every 8 hours.
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(28_000);
    expect(last?.headers.get('ratelimit')).toMatch(/"trial_daily";r=0;t=\d+/);
  });

  it('refuses a missing key with 401 and the challenge', async () => {
    const response = await fetch(`${gatehouse.url}/orders/1`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('ApiKey');
  });
});
