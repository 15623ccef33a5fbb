import type { RouteConfig } from '../../config/schema.js';
import type { RequestContext } from '../../context.js';
import type { IntegrationDeps, ResolvedHook } from '../definition.js';
import { bindingCall } from '../service-binding.js';

/**
 * `integration.post_process` of a login callback (`auth0_callback`, `oidc_callback`) (docs/CONFIG.md "Services, service bindings and hooks"): after a successful
 * login, the binding function is called like any hook — `(request, envJson, contextJson)`, with
 * the verified ID-token claims in `contextJson.claims` — and its result is ignored. A failure is
 * logged and does not fail the login: the tokens were already issued by the provider.
 */
export type PostLoginHook = (ctx: RequestContext) => Promise<void>;

export function createPostLoginHook(
  { hook, binding }: ResolvedHook,
  route: RouteConfig,
  deps: IntegrationDeps,
): PostLoginHook {
  const call = bindingCall(deps, route, binding, hook.function);
  const label = `${hook.binding}.${hook.function}`;
  const logger = deps.platform.logger;
  return async (ctx) => {
    try {
      await call(ctx.request, ctx);
      ctx.log.postProcess = 'ok';
    } catch (error) {
      ctx.log.postProcess = 'failed';
      logger.error('post_process hook failed', {
        requestId: ctx.requestId,
        hook: label,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  };
}
