import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { startRedisServer, type RedisServer } from '../fixtures/redis-server.js';

/**
 * Readiness follows the rate-limit store the routes count in (docs/OBSERVABILITY.md "Health and
 * readiness"): with a real Redis, `/readyz` is 200 while it answers, 503 naming
 * `rate_limit_store` while it is stopped, and 200 again once it is back (the store reconnects by
 * itself). A memory store is always ready; a config without rate limits has no such check.
 */
let redis: RedisServer;
const running: RunningGatehouse[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(running.splice(0).map((gatehouse) => gatehouse.close(200)));
  await redis?.stop();
});

async function start(gateway: Record<string, unknown>, limited = true): Promise<string> {
  const gatehouse = await startGatehouse({
    source: inlineConfigSource({
      rate_limits: { api: { limit: 100, window_s: 1, scope: 'global' } },
      gateway,
      paths: [
        { method: 'GET', path: '/a', ...(limited ? { rate_limit: 'api' } : {}), response: { ok: true } },
      ],
    }),
    env: {},
    port: 0,
    admin: { port: 0 },
  });
  running.push(gatehouse);
  return gatehouse.adminUrl as string;
}

async function readyz(admin: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${admin}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function eventually(
  admin: string,
  status: number,
  timeoutMs = 10_000,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await readyz(admin);
    if (answer.status === status || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('readiness of the rate-limit store', () => {
  it('a redis store: ready while Redis answers, 503 naming it while stopped, ready again after', async () => {
    const admin = await start({
      rate_limit_store: { type: 'redis', url: redis.url, timeout_ms: 200 },
      default_rate_limit: ['api'],
    });
    const up = await eventually(admin, 200);
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ checks: { rate_limit_store: { ready: true, detail: 'redis' } } });

    await redis.stop();
    const down = await eventually(admin, 503);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ ready: false, notReady: ['rate_limit_store'] });

    await redis.start();
    const back = await eventually(admin, 200);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ ready: true, notReady: [] });
  });

  it('a memory store is ready; without a rate-limited route there is no store check', async () => {
    const memory = await readyz(await start({}));
    expect(memory.status).toBe(200);
    expect(memory.body).toMatchObject({ checks: { rate_limit_store: { ready: true, detail: 'memory' } } });

    const unlimited = await readyz(await start({}, false));
    expect(unlimited.status).toBe(200);
    expect(Object.keys(unlimited.body.checks as object)).not.toContain('rate_limit_store');
  });
});
