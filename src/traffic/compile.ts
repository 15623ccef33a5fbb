import {
  apiKeyAuthorizers,
  createApiKeyStep,
  routeApiKeyAuthorizer,
  type ConsumerLookup,
} from '../auth/authorizers/api-key.js';
import type { GatewayConfig, RouteConfig } from '../config/schema.js';
import { configError, type ConfigProblem } from '../config/problems.js';
import type { Step } from '../context.js';
import { compileConsumers } from '../consumers/compile.js';
import { createKvConsumerLookup, isKvTextReader } from '../consumers/kv.js';
import { redactQueryParameter } from '../observability/logger.js';
import type { Platform } from '../platform.js';
import { policyNames } from './lint.js';
import { compilePolicy, type CompiledPolicy } from './policies.js';
import { createRateLimitCheckStep, createRateLimitFieldsStep } from './steps.js';
import { memoryOnlyStores } from './stores.js';
import type { RateLimitStore } from './types.js';

/**
 * Traffic control compiled once per config (docs/TRAFFIC.md): the policies, the store, the
 * consumers, and per route the steps that count requests and decorate responses. Routes that
 * name no policy (and authenticate no consumer with a plan) get no step at all.
 */
export interface RouteTrafficSteps {
  /** Outermost first: the RateLimit fields step, then the `before_auth` check. */
  readonly beforeAuth: readonly Step[];
  /** After authentication: the other policies and the consumer's plan. */
  readonly afterAuth: readonly Step[];
}

export interface CompiledTraffic {
  routeSteps(route: RouteConfig, index: number): RouteTrafficSteps;
  /** The authentication step of an `api_key` authorizer, by name (`default` for `authorizer`). */
  apiKeyStep(name: string): Step | undefined;
  /** The store the routes count in; undefined when no route is rate limited. */
  store(): RateLimitStore | undefined;
}

const NO_STEPS: RouteTrafficSteps = { beforeAuth: [], afterAuth: [] };

export function compileTraffic(
  config: GatewayConfig,
  platform: Platform,
  problems: ConfigProblem[],
): CompiledTraffic {
  const policies = new Map<string, CompiledPolicy>(
    Object.entries(config.rate_limits ?? {}).map(([name, def]) => [
      name,
      compilePolicy(name, def, config.variables),
    ]),
  );
  const consumers = compileConsumers(config.consumers, platform.sha256Hex);
  const consumerPlans = new Map<string, CompiledPolicy>();
  for (const def of Object.values(config.consumers ?? {}))
    for (const name of policyNames(def.rate_limit)) {
      const policy = policies.get(name);
      if (policy) consumerPlans.set(name, policy);
    }

  const apiKeySteps = new Map<string, Step>();
  for (const { name, pointer, def } of apiKeyAuthorizers(config)) {
    // The access log's path never shows a key sent in the query.
    if (def.query !== undefined) redactQueryParameter(def.query);
    let lookup: ConsumerLookup | undefined;
    if (def.consumers_kv !== undefined) {
      const kv = platform.bindings[def.consumers_kv];
      if (!isKvTextReader(kv)) {
        problems.push(
          configError(
            `${pointer}/consumers_kv`,
            `no KV namespace is bound as "${def.consumers_kv}" (consumers in KV are a Workers feature)`,
          ),
        );
      } else {
        lookup = createKvConsumerLookup(kv, {
          knownPolicies: new Set(policies.keys()),
          logger: platform.logger,
          now: () => platform.now(),
        });
        // Plans of KV consumers are only known per request: any policy may be one.
        for (const [policyName, policy] of policies) consumerPlans.set(policyName, policy);
      }
    }
    apiKeySteps.set(name, createApiKeyStep(name, def, consumers, lookup));
  }

  let store: RateLimitStore | undefined;
  const openStore = (): RateLimitStore | undefined => {
    if (store !== undefined) return store;
    const settings = config.gateway?.rate_limit_store ?? { type: 'memory' as const };
    try {
      store = (platform.rateLimitStores ?? defaultStores(platform)).open(settings);
    } catch (error) {
      problems.push(
        configError('/gateway/rate_limit_store', error instanceof Error ? error.message : String(error)),
      );
    }
    return store;
  };
  const failures = { count: 0 };
  const defaults = policyNames(config.gateway?.default_rate_limit);

  return {
    apiKeyStep: (name) => apiKeySteps.get(name),
    store: () => store,
    routeSteps(route) {
      const names = route.rate_limit === undefined ? defaults : policyNames(route.rate_limit);
      const routePolicies = names
        .map((name) => policies.get(name))
        .filter((p): p is CompiledPolicy => p !== undefined);
      const plans =
        routeApiKeyAuthorizer(config, route) !== undefined && consumerPlans.size > 0
          ? consumerPlans
          : undefined;
      if (routePolicies.length === 0 && plans === undefined) return NO_STEPS;
      const limiter = openStore();
      if (limiter === undefined) return NO_STEPS;
      const common = {
        routeLabel: `${route.method} ${route.path}`,
        store: limiter,
        logger: platform.logger,
        failures,
      };
      const before = routePolicies.filter((p) => p.beforeAuth);
      const after = routePolicies.filter((p) => !p.beforeAuth);
      return {
        beforeAuth: [
          createRateLimitFieldsStep(),
          ...(before.length > 0 ? [createRateLimitCheckStep({ ...common, policies: before })] : []),
        ],
        afterAuth:
          after.length > 0 || plans !== undefined
            ? [
                createRateLimitCheckStep({
                  ...common,
                  policies: after,
                  ...(plans ? { consumerPolicies: plans } : {}),
                }),
              ]
            : [],
      };
    },
  };
}

/** One memory-only factory per platform, so a reload keeps the counts (stores.ts). */
const fallbackStores = new WeakMap<Platform, ReturnType<typeof memoryOnlyStores>>();
function defaultStores(platform: Platform): ReturnType<typeof memoryOnlyStores> {
  let stores = fallbackStores.get(platform);
  if (stores === undefined) {
    stores = memoryOnlyStores(() => platform.now());
    fallbackStores.set(platform, stores);
  }
  return stores;
}
