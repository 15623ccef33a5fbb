import { Answer, type Reply } from '../answer.js';
import type { Step } from '../context.js';
import type { RequestContext } from '../context.js';
import { GatewayError, isGatewayError } from '../errors/gateway-error.js';
import { ContextMappingSources } from '../mapping/context-sources.js';
import type { Logger } from '../observability/logger.js';
import { RATELIMIT, RATELIMIT_POLICY, rateItem, retryAfterSeconds } from './headers.js';
import type { CompiledPolicy } from './policies.js';
import type { Decision, RateLimitOutcome, RateLimitStore } from './types.js';

/**
 * The pipeline steps of a limited route (docs/TRAFFIC.md "Behaviour"), built once per route:
 * - `createRateLimitFieldsStep`, outermost: every response of the route — admitted, refused,
 *   or an error further on — leaves with the RateLimit-Policy and RateLimit fields of the
 *   policies the request was counted against;
 * - `createRateLimitCheckStep`: counts the request against each policy in order and refuses it
 *   with 429 ERR_RATE_LIMITED (Retry-After) at the first that does not admit it; the route's
 *   integration is never reached then. One check step runs before authentication (the
 *   `before_auth` policies) and one after (the others, and the consumer's plan).
 */
export interface CheckStepOptions {
  readonly policies: readonly CompiledPolicy[];
  /** `METHOD PATH`: the bucket scope of policies that are not `scope: global`. */
  readonly routeLabel: string;
  readonly store: RateLimitStore;
  readonly logger: Logger;
  /** Consumer plans by policy name, when the route authenticates consumers. */
  readonly consumerPolicies?: ReadonlyMap<string, CompiledPolicy>;
  /** Counts store failures for the log (docs/TRAFFIC.md "Failure behaviour"). */
  readonly failures: { count: number };
}

interface Counted {
  readonly policy: CompiledPolicy;
  readonly prefix: string;
}

export function createRateLimitCheckStep(options: CheckStepOptions): Step {
  const { store, logger, consumerPolicies, failures, routeLabel } = options;
  const prefixOf = (policy: CompiledPolicy): string =>
    `${policy.name}\n${policy.global ? '*' : routeLabel}\n`;
  const routeCounted: readonly Counted[] = options.policies.map((policy) => ({
    policy,
    prefix: prefixOf(policy),
  }));
  const consumerCounted = new Map<string, Counted>(
    [...(consumerPolicies ?? [])].map(([name, policy]) => [name, { policy, prefix: prefixOf(policy) }]),
  );

  /** The route's policies plus the consumer's plan, each counted once. */
  const countedFor = (ctx: RequestContext): readonly Counted[] => {
    const plan = ctx.consumer?.rateLimit;
    if (plan === undefined || plan.length === 0 || consumerCounted.size === 0) return routeCounted;
    const list = [...routeCounted];
    for (const name of plan) {
      const counted = consumerCounted.get(name);
      if (counted !== undefined && !list.some((c) => c.policy.name === name)) list.push(counted);
    }
    return list;
  };

  const record = (ctx: RequestContext, policy: CompiledPolicy, decision: Decision): void => {
    const outcome: RateLimitOutcome = {
      quotedName: policy.quotedName,
      policyItem: policy.policyItem,
      decision,
    };
    (ctx.rateLimits ??= []).push(outcome);
    if (!decision.allowed) {
      ctx.log.rateLimit = { policy: policy.name, outcome: 'limited' };
      throw new GatewayError('ERR_RATE_LIMITED', {
        headers: { 'retry-after': retryAfterSeconds(decision) },
        detail: { policy: policy.name },
      });
    }
  };

  const storeFailed = (ctx: RequestContext, policy: CompiledPolicy, error: unknown): void => {
    failures.count++;
    const detail = {
      policy: policy.name,
      store: store.type,
      error: errorText(error),
      failures: failures.count,
    };
    if (store.onError === 'deny') throw new GatewayError('ERR_RATE_LIMIT_UNAVAILABLE', { detail });
    ctx.log.rateLimit = { policy: policy.name, outcome: 'store-unavailable-allowed' };
    logger.warn('rate limit store unavailable; request admitted (on_error: allow)', {
      requestId: ctx.requestId,
      ...detail,
    });
  };

  const finishAsync = async (
    ctx: RequestContext,
    counted: readonly Counted[],
    from: number,
    pending: Promise<Decision>,
    sources: ContextMappingSources,
  ): Promise<void> => {
    for (let i = from; i < counted.length; i++) {
      const { policy, prefix } = counted[i] as Counted;
      let decision: Decision;
      try {
        decision = await (i === from ? pending : store.check(prefix + policy.keyOf(sources), policy.rate));
      } catch (error) {
        storeFailed(ctx, policy, error);
        continue;
      }
      record(ctx, policy, decision);
    }
  };

  return (ctx, next) => {
    const counted = countedFor(ctx);
    const sources = new ContextMappingSources(ctx);
    for (let i = 0; i < counted.length; i++) {
      const { policy, prefix } = counted[i] as Counted;
      let result: Decision | Promise<Decision>;
      try {
        result = store.check(prefix + policy.keyOf(sources), policy.rate);
      } catch (error) {
        storeFailed(ctx, policy, error);
        continue;
      }
      if (result instanceof Promise)
        return finishAsync(ctx, counted, i, result, sources).then(() => next(ctx));
      record(ctx, policy, result);
    }
    return next(ctx);
  };
}

/** Adds the RateLimit fields of what the request was counted against to whatever the route answers. */
export function createRateLimitFieldsStep(): Step {
  return (ctx, next) => {
    let reply: Reply | Promise<Reply>;
    try {
      reply = next(ctx);
    } catch (error) {
      throw withFields(error, ctx.rateLimits);
    }
    if (reply instanceof Promise) {
      return reply.then(
        (settled) => addFields(settled, ctx.rateLimits),
        (error: unknown) => {
          throw withFields(error, ctx.rateLimits);
        },
      );
    }
    return addFields(reply, ctx.rateLimits);
  };
}

/** The two field values of what the request was counted against (`rate` may be empty). */
function fieldValues(outcomes: readonly RateLimitOutcome[]): { policy: string; rate: string } {
  let policy = '';
  let rate = '';
  for (const outcome of outcomes) {
    policy += (policy === '' ? '' : ', ') + outcome.policyItem;
    const { remaining, resetMs } = outcome.decision;
    if (remaining !== undefined)
      rate += (rate === '' ? '' : ', ') + rateItem(outcome.quotedName, remaining, resetMs);
  }
  return { policy, rate };
}

/**
 * A header record with the fields added. Copied by `for…in` into a fresh literal, never
 * `{ ...headers, [name]: value }`: V8's spread copy that then gains computed properties became
 * a dictionary-mode object, and both this copy and the exit's next one cost ~1 µs each
 * (docs/ARCHITECTURE.md "Performance devices").
 */
function withFieldRecord(
  headers: Readonly<Record<string, string>> | undefined,
  outcomes: readonly RateLimitOutcome[],
): Record<string, string> {
  const { policy, rate } = fieldValues(outcomes);
  const record: Record<string, string> = {};
  for (const name in headers) record[name] = headers[name] as string;
  record[RATELIMIT_POLICY] = policy;
  if (rate !== '') record[RATELIMIT] = rate;
  return record;
}

function addFields(reply: Reply, outcomes: readonly RateLimitOutcome[] | undefined): Reply {
  if (outcomes === undefined || outcomes.length === 0) return reply;
  if (reply instanceof Answer)
    return new Answer(
      reply.status,
      withFieldRecord(reply.headers, outcomes),
      reply.body,
      reply.code,
      reply.setCookies,
    );
  const { policy, rate } = fieldValues(outcomes);
  let response = reply;
  try {
    response.headers.set(RATELIMIT_POLICY, policy);
  } catch {
    // A Workers fetch() response has immutable headers: copy once.
    response = new Response(reply.body, reply);
    response.headers.set(RATELIMIT_POLICY, policy);
  }
  if (rate !== '') response.headers.set(RATELIMIT, rate);
  return response;
}

function withFields(error: unknown, outcomes: readonly RateLimitOutcome[] | undefined): unknown {
  if (!isGatewayError(error) || outcomes === undefined || outcomes.length === 0) return error;
  return new GatewayError(error.code, {
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    headers: withFieldRecord(error.headers, outcomes),
    cause: error,
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
