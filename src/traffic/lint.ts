import { apiKeyAuthorizers, routeApiKeyAuthorizer } from '../auth/authorizers/api-key.js';
import type { GatewayConfig, RateLimitStoreConfig, RouteConfig } from '../config/schema.js';
import { configError, configWarning, pointerToken, type ConfigProblem } from '../config/problems.js';
import { closestMatch } from '../config/suggest.js';
import { lintConsumers } from '../consumers/compile.js';
import { MAX_RATE_PER_SECOND } from './gcra.js';
import { compilePolicy, type CompiledPolicy } from './policies.js';

/**
 * Semantic rules of traffic control (docs/TRAFFIC.md "Validation"): policy names every reference
 * resolves to, key templates in the mapping vocabulary, keys that could never have a value on
 * the route they count (refused when knowable), store fields, consumers and their keys. Which
 * store types a runtime offers is decided when the runtime compiles (src/traffic/stores.ts).
 */
const POLICY_NAME = /^[\x20-\x7e]+$/;

const STORE_FIELDS: Readonly<Record<RateLimitStoreConfig['type'], readonly string[]>> = {
  memory: ['max_keys'],
  redis: ['url', 'timeout_ms', 'on_error', 'prefix'],
  durable_object: ['binding', 'shards', 'timeout_ms', 'on_error'],
  workers_ratelimit: ['binding'],
};
const STORE_REQUIRED: Readonly<Record<RateLimitStoreConfig['type'], readonly string[]>> = {
  memory: [],
  redis: ['url'],
  durable_object: ['binding'],
  workers_ratelimit: ['binding'],
};

export function policyNames(value: string | readonly string[] | false | undefined): readonly string[] {
  if (value === undefined || value === false) return [];
  return typeof value === 'string' ? [value] : value;
}

export function lintTraffic(config: GatewayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const policies = lintPolicies(config, problems);
  const refer = referenceChecker(policies, problems);
  const defaults = policyNames(config.gateway?.default_rate_limit);
  refer(defaults, '/gateway/default_rate_limit');
  if (config.gateway?.rate_limit_store)
    problems.push(...lintStore(config.gateway.rate_limit_store, '/gateway/rate_limit_store'));
  config.paths.forEach((route, index) =>
    lintRouteLimits(config, route, index, policies, defaults, refer, problems),
  );
  lintConsumerPlans(config, policies, refer, problems);
  problems.push(...lintConsumers(config.consumers));
  const hasConsumers = Object.keys(config.consumers ?? {}).length > 0;
  for (const { pointer, def } of apiKeyAuthorizers(config)) {
    if (!hasConsumers && def.consumers_kv === undefined)
      problems.push(
        configError(
          pointer,
          'an api_key authorizer needs "consumers" (or "consumers_kv" on Workers): no key could ever be accepted',
        ),
      );
  }
  return problems;
}

/** Each policy on its own: name, rate, key templates. Returns them compiled, by name. */
function lintPolicies(config: GatewayConfig, problems: ConfigProblem[]): Map<string, CompiledPolicy> {
  const policies = new Map<string, CompiledPolicy>();
  for (const [name, def] of Object.entries(config.rate_limits ?? {})) {
    const at = `/rate_limits/${pointerToken(name)}`;
    if (!POLICY_NAME.test(name))
      problems.push(
        configError(at, 'a policy name must be printable ASCII (it is sent in the RateLimit fields)'),
      );
    if (def.limit / def.window_s > MAX_RATE_PER_SECOND)
      problems.push(
        configError(
          `${at}/limit`,
          `more than ${MAX_RATE_PER_SECOND.toLocaleString('en-US')} requests per second per bucket cannot be counted exactly; use a longer window_s`,
        ),
      );
    const found = { keys: [] as { index: number; message: string }[] };
    const policy = compilePolicy(name, def, config.variables, found);
    for (const { index, message } of found.keys) problems.push(configError(`${at}/key/${index}`, message));
    if (policy.beforeAuth && (policy.sources.has('jwt') || policy.sources.has('consumer'))) {
      problems.push(
        configError(
          `${at}/key`,
          'a before_auth policy runs before the credentials are verified, so it cannot key on $request.jwt.* or $request.consumer.*',
        ),
      );
    }
    policies.set(name, policy);
  }
  return policies;
}

type ReferenceChecker = (names: readonly string[], at: string) => void;

/** Refuses names no policy has, with a suggestion. */
function referenceChecker(
  policies: ReadonlyMap<string, CompiledPolicy>,
  problems: ConfigProblem[],
): ReferenceChecker {
  const known = [...policies.keys()];
  return (names, at) => {
    names.forEach((name, i) => {
      if (policies.has(name)) return;
      const suggestion = closestMatch(name, known);
      problems.push(
        configError(
          names.length > 1 ? `${at}/${i}` : at,
          `no rate_limits policy named "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ''}${known.length ? ` (known: ${known.join(', ')})` : ''}`,
        ),
      );
    });
  };
}

/** A route's policies: known names, and keys that can have a value on this route. */
function lintRouteLimits(
  config: GatewayConfig,
  route: RouteConfig,
  index: number,
  policies: ReadonlyMap<string, CompiledPolicy>,
  defaults: readonly string[],
  refer: ReferenceChecker,
  problems: ConfigProblem[],
): void {
  const at = `/paths/${index}`;
  const named = policyNames(route.rate_limit);
  refer(named, `${at}/rate_limit`);
  const apiKey = routeApiKeyAuthorizer(config, route) !== undefined;
  if (apiKey && route.scopes)
    problems.push(configError(`${at}/scopes`, 'API keys carry no scopes; use a JWT authorizer for scopes'));
  const explicit = route.rate_limit !== undefined;
  for (const name of explicit ? named : defaults) {
    const policy = policies.get(name);
    if (policy === undefined || policy.beforeAuth) continue;
    const missing = missingSource(policy, route, apiKey);
    if (missing === undefined) continue;
    const message = `policy "${name}" keys on ${missing}, so every request would share its one "missing" bucket`;
    problems.push(
      explicit
        ? configError(`${at}/rate_limit`, message)
        : configWarning(at, `${message} (from gateway.default_rate_limit; set "rate_limit" on the route)`),
    );
  }
}

/** Consumers' plans: known names; a warning for JWT keys, which API-key requests never have. */
function lintConsumerPlans(
  config: GatewayConfig,
  policies: ReadonlyMap<string, CompiledPolicy>,
  refer: ReferenceChecker,
  problems: ConfigProblem[],
): void {
  for (const [name, def] of Object.entries(config.consumers ?? {})) {
    const at = `/consumers/${pointerToken(name)}/rate_limit`;
    const names = policyNames(def.rate_limit);
    refer(names, at);
    for (const policyName of names) {
      if (policies.get(policyName)?.sources.has('jwt'))
        problems.push(
          configWarning(
            at,
            `policy "${policyName}" keys on $request.jwt.*, which API-key requests never have`,
          ),
        );
    }
  }
}

function missingSource(policy: CompiledPolicy, route: RouteConfig, apiKey: boolean): string | undefined {
  const jwtAuth = route.auth !== undefined && route.auth !== false && !apiKey;
  if (policy.sources.has('jwt') && !jwtAuth) return '$request.jwt.* but the route has no JWT authorizer';
  if (policy.sources.has('consumer') && !apiKey)
    return '$request.consumer.* but the route has no api_key authorizer';
  return undefined;
}

function lintStore(store: RateLimitStoreConfig, at: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const allowed = new Set(['type', ...STORE_FIELDS[store.type]]);
  for (const field of Object.keys(store)) {
    if (!allowed.has(field))
      problems.push(configError(`${at}/${field}`, `not a field of the "${store.type}" store`));
  }
  for (const field of STORE_REQUIRED[store.type]) {
    if ((store as Record<string, unknown>)[field] === undefined)
      problems.push(configError(`${at}/${field}`, `is required for the "${store.type}" store`));
  }
  return problems;
}
