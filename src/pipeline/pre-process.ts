import type { HookConfig, RouteConfig } from '../config/schema.js';
import type { RequestContext, Step } from '../context.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { IntegrationDeps } from '../integrations/definition.js';
import { asResponse } from '../integrations/result.js';
import { bindingCall } from '../integrations/service-binding.js';
import { standardRequest } from '../standard-request.js';

/**
 * `pre_process: {binding, function}` (docs/CONFIG.md "Services, service bindings and hooks"): runs after authorization and
 * before the integration, on any route (static ones too), with the arguments a
 * `service_binding` function gets. `true` continues; a `Response` is the answer (the gateway's
 * exit still decorates it); anything else, or a throw, is 500 `ERR_HOOK_FAILED` — the anchor
 * answered an empty 200 (docs/COMPAT.md row 19). The reason goes to the request's log line only.
 */
export function createPreProcessStep(
  hook: HookConfig,
  binding: string,
  route: RouteConfig,
  deps: IntegrationDeps,
): Step {
  const call = bindingCall(deps, route, binding, hook.function);
  const label = `${hook.binding}.${hook.function}`;
  const logger = deps.platform.logger;
  return async (ctx, next) => {
    let result: unknown;
    try {
      result = await call(requestForHook(ctx), ctx);
    } catch (error) {
      logger.error('pre_process hook threw', {
        requestId: ctx.requestId,
        hook: label,
        stack: error instanceof Error ? error.stack : String(error),
      });
      throw new GatewayError('ERR_HOOK_FAILED', {
        detail: {
          hook: label,
          reason: 'threw',
          message: error instanceof Error ? error.message : String(error),
        },
        cause: error,
      });
    }
    if (result === true) return next(ctx);
    const response = asResponse(result);
    if (response) return response;
    throw new GatewayError('ERR_HOOK_FAILED', {
      detail: { hook: label, reason: 'returned neither true nor a Response', returned: describe(result) },
    });
  };
}

/**
 * The integration must still be able to read the body after the hook, so a request that may
 * carry one is cloned (the body is teed; only what either side reads is buffered, at most
 * `max_body_bytes`). GET and HEAD carry none: no clone, and on Node the lazily built Request is
 * not even materialized.
 */
function requestForHook(ctx: RequestContext): Request {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') return standardRequest(ctx.request);
  return ctx.request.clone();
}

/** The type of a wrong result, never its value (it may hold user data). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
