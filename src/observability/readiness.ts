import type { Authorizer } from '../auth/types.js';
import type { CompiledGateway } from '../assembly/compile-gateway.js';
import { ANSWER_STATUS } from '../errors/statuses.js';

/**
 * Readiness (`/readyz` on Node's admin listener, `gateway.health_path` on Workers): the config is
 * loaded, and every remote key set a route needs (a `jwks_uri`, or one found through OpenID
 * Connect discovery) holds keys and its last fetch succeeded. A key
 * set that is not ready is fetched again on the probe (bounded by its own retry policy), so
 * readiness returns as soon as the issuer answers; and the rate-limit store the routes count in
 * answers (a Redis store is pinged within its `timeout_ms`). Other checks join through
 * `extraChecks`.
 */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<ReadinessOutcome>;
}

export interface ReadinessOutcome {
  readonly ready: boolean;
  /** Why not, or what was checked (a URL): shown in the JSON body. */
  readonly detail?: string;
}

export interface ReadinessReport {
  readonly ready: boolean;
  /** Names of the checks that failed, e.g. `["key_set:default"]`. */
  readonly notReady: readonly string[];
  readonly checks: Readonly<Record<string, ReadinessOutcome>>;
}

export async function evaluateReadiness(
  compiled: CompiledGateway | undefined,
  now: () => number,
  extraChecks: readonly ReadinessCheck[] = [],
): Promise<ReadinessReport> {
  const checks: Record<string, ReadinessOutcome> = {
    config: compiled ? { ready: true } : { ready: false, detail: 'no valid configuration loaded' },
  };
  const pending: ReadinessCheck[] = [
    ...(compiled ? keySetChecks(compiled, now) : []),
    ...(compiled ? rateLimitStoreChecks(compiled) : []),
    ...extraChecks,
  ];
  const outcomes = await Promise.all(
    pending.map((check) =>
      check.check().catch((error: unknown) => ({
        ready: false,
        detail: error instanceof Error ? error.message : String(error),
      })),
    ),
  );
  pending.forEach((check, i) => (checks[check.name] = outcomes[i] as ReadinessOutcome));
  const notReady = Object.keys(checks).filter((name) => checks[name]?.ready !== true);
  return { ready: notReady.length === 0, notReady, checks };
}

/** The body of a readiness answer (200 when ready, else 503). */
export function readinessResponse(report: ReadinessReport): Response {
  return new Response(JSON.stringify({ status: report.ready ? 'ready' : 'not ready', ...report }), {
    status: report.ready ? ANSWER_STATUS.ready : ANSWER_STATUS.notReady,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

/** One check per remote key set that an authorizer used by a route depends on. */
function keySetChecks(compiled: CompiledGateway, now: () => number): ReadinessCheck[] {
  const needed = new Set<string>();
  for (const route of compiled.config.paths) {
    if (route.auth === true) needed.add('default');
    else if (typeof route.auth === 'string') needed.add(route.auth);
  }
  const checks: ReadinessCheck[] = [];
  for (const name of needed) {
    const authorizer: Authorizer | undefined = compiled.authorizers.get(name);
    const probe = authorizer?.keySetProbe;
    if (!probe) continue;
    checks.push({ name: `key_set:${name}`, check: () => probe(now()) });
  }
  return checks;
}

/** The rate-limit store, when a route counts in one: `rate_limit_store` in the report. */
function rateLimitStoreChecks(compiled: CompiledGateway): ReadinessCheck[] {
  const store = compiled.rateLimitStore;
  if (store === undefined) return [];
  return [
    {
      name: 'rate_limit_store',
      check: () => (store.probe ? store.probe() : Promise.resolve({ ready: true, detail: store.type })),
    },
  ];
}
