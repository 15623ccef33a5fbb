/* global Response */
/**
 * A service binding module (`--binding HOOKS=examples/services/hooks.mjs`): named functions
 * called as fn(request, env, ctx). `env` holds only the non-secret `$env` variables the config
 * references; `ctx` is {route: {method, path, params}, claims, requestId}.
 */

/** pre_process hook: `true` lets the request through; a Response answers instead. */
export function requireMember(request) {
  if (request.headers.get('x-member') === 'yes') return true;
  return Response.json({ error: 'Members only', code: 'MEMBERS_ONLY' }, { status: 403 });
}

/** service_binding function: the result is wrapped like a service's. */
export function time(request, env, ctx) {
  return { message: 'The time', now: new Date().toISOString(), route: ctx.route.path };
}
