import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSwitchableUpstream, type SwitchableUpstream } from '../fixtures/switchable-upstream.js';
import type { GatewayTarget } from '../helpers/targets.js';
import { startWorkerdTarget } from '../helpers/workerd-target.js';

/**
 * Active health checks in the Worker, in real workerd (docs/WORKERS.md "Health checks"): no timer
 * outlives a request there, so the requests through a pool start its probe rounds, at most one
 * per `interval_ms`, in the background. A URL whose health check fails leaves the pool within
 * one interval of steady traffic, and comes back when it recovers. Its 500s to real requests
 * alone would never take it out (the breaker counts connection failures only), so only the
 * health check can explain the switch.
 */

const INTERVAL_MS = 400;
/** Re-adding takes a probe round after the recovery; generous for a loaded machine. */
const RECOVERY_LIMIT_MS = 5_000;
let a: SwitchableUpstream;
let b: SwitchableUpstream;
let gateway: GatewayTarget;

beforeAll(async () => {
  [a, b] = await Promise.all([startSwitchableUpstream('a'), startSwitchableUpstream('b')]);
  gateway = await startWorkerdTarget(
    {
      servers: [
        {
          alias: 'pool',
          url: [a.url, b.url],
          // A request that meets the stopped URL before a probe does opens its breaker; a short
          // cool-down keeps the re-add within the test's limit whichever saw it first.
          circuit_breaker: { open_ms: 1_000 },
          health_check: {
            path: '/health',
            interval_ms: INTERVAL_MS,
            timeout_ms: 300,
            healthy_threshold: 1,
            unhealthy_threshold: 1,
          },
        },
      ],
      paths: [{ method: 'GET', path: '/p/{.+}', integration: { type: 'http_proxy', server: 'pool' } }],
    },
    {},
  );
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await Promise.all([a?.kill(), b?.kill()]);
});

async function who(): Promise<string> {
  return (await fetch(`${gateway.url}/p/x`)).text();
}

/** Requests every 50 ms until `done` holds for `times` answers in a row; the time that took (ms). */
async function steadyTrafficUntil(
  done: (answer: string) => boolean,
  limitMs: number,
  times = 6,
): Promise<number> {
  const started = Date.now();
  let streak = 0;
  let firstOfStreak = started;
  const seen: string[] = [];
  while (Date.now() - started < limitMs) {
    const answer = await who();
    seen.push(answer);
    if (done(answer)) {
      if (streak++ === 0) firstOfStreak = Date.now();
      if (streak >= times) return firstOfStreak - started;
    } else streak = 0;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not within ${limitMs} ms: ${seen.join(',')}`);
}

it('rotates over both URLs while both are healthy', async () => {
  const answers = new Set<string>();
  for (let i = 0; i < 6; i++) answers.add(await who());
  expect(answers).toEqual(new Set(['a', 'b']));
});

it('ejects a URL failing its health check within one interval, and re-adds it', async () => {
  b.mode = 'error';
  // One interval, plus the probe and a generous margin for a loaded machine.
  const ejectedAfter = await steadyTrafficUntil((answer) => answer === 'a', INTERVAL_MS + 2_500);
  expect(ejectedAfter).toBeLessThan(INTERVAL_MS + 2_500);
  const hitsWhileOut = b.hits;
  for (let i = 0; i < 4; i++) expect(await who()).toBe('a');
  expect(b.hits).toBe(hitsWhileOut);

  b.mode = 'ok';
  // Back in the rotation: b answers again.
  await steadyTrafficUntil((answer) => answer === 'b', RECOVERY_LIMIT_MS, 1);
});

it('ejects a URL that stopped listening without a client meeting it after the probe', async () => {
  await b.kill();
  await steadyTrafficUntil((answer) => answer === 'a', RECOVERY_LIMIT_MS);
  await b.revive();
  await steadyTrafficUntil((answer) => answer === 'b', RECOVERY_LIMIT_MS, 1);
});
