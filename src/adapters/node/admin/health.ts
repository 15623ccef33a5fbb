import type { CompiledGateway } from '../../../assembly/compile-gateway.js';
import {
  evaluateReadiness,
  readinessResponse,
  type ReadinessCheck,
} from '../../../observability/readiness.js';
import type { AdminHandlers } from './handlers.js';

/**
 * `/healthz`: the process serves (always 200 while it can answer at all). `/readyz`: the
 * gateway can serve its routes — see observability/readiness.ts for what is checked.
 */
export function registerHealthHandlers(
  handlers: AdminHandlers,
  current: () => CompiledGateway | undefined,
  now: () => number,
  extraChecks: readonly ReadinessCheck[] = [],
): void {
  handlers.register(
    'GET',
    '/healthz',
    () =>
      new Response('{"status":"ok"}', {
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      }),
  );
  handlers.register('GET', '/readyz', async () =>
    readinessResponse(await evaluateReadiness(current(), now, extraChecks)),
  );
}
