import { configError, configWarning, type ConfigProblem } from '../../config/problems.js';
import type { GatewayConfig, RouteConfig } from '../../config/schema.js';
import { sessionConfigOf } from '../../session/settings.js';
import { misplacedSession, oidcFlowProblems } from '../oidc/lint.js';
import { readSupabaseEnvironment } from '../supabase/environment.js';
import { integrationDefinition } from '../registry.js';
import { chooseFlowAuthorizer, isIdentityFlow, usesEnvironmentOnly } from './select.js';

/**
 * Semantic rules for identity-flow routes (docs/FLOWS.md), run by `gatehouse validate` and at
 * load time: every flow route resolves to exactly one authorizer of its provider's type, that
 * authorizer has the fields the flow sends, and options that would be silently ignored are
 * refused. With `env`, a config using the Supabase flows without SUPABASE_URL /
 * SUPABASE_SERVICE_ROLE_KEY gets a warning (docs/FLOWS.md "Supabase").
 */

export function lintIdentityFlows(
  config: GatewayConfig,
  env?: Readonly<Record<string, unknown>>,
  /** Routes to check by index (the config checker skips routes the schema refused). */
  includeRoute: (index: number) => boolean = () => true,
  /** Filled with the authorizer each flow route resolved to, for the compiler to build on. */
  chosen?: Map<RouteConfig, string>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  const add = (problem: ConfigProblem): void => {
    const key = `${problem.pointer}\n${problem.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push(problem);
  };
  let usesSupabase = false;

  (Array.isArray(config.paths) ? config.paths : []).forEach((route, index) => {
    if (!includeRoute(index)) return;
    const at = `/paths/${index}`;
    const type = route.integration?.type;
    if (route.integration?.post_process && type !== 'auth0_callback') {
      add(
        configError(`${at}/integration/post_process`, 'post_process applies to auth0_callback routes only'),
      );
    }
    misplacedSession(route, at).forEach(add);
    if (!isIdentityFlow(type)) return;
    flowRouteProblems(config, route, at, (name) => chosen?.set(route, name)).forEach(add);
    if (type.startsWith('supabase_')) usesSupabase = true;
  });

  if (usesSupabase && env) {
    const environment = readSupabaseEnvironment(env);
    if (!environment.ok) {
      add(
        configWarning(
          '/paths',
          `the Supabase flows answer 500 SUPABASE_ENV_MISSING: ${environment.problem} (set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY)`,
        ),
      );
    }
  }
  return problems;
}

/** The rules for one flow route (`at` is its pointer); empty for other routes. */
export function flowRouteProblems(
  config: GatewayConfig,
  route: RouteConfig,
  at: string,
  onChosen?: (authorizerName: string) => void,
): ConfigProblem[] {
  const type = route.integration?.type;
  if (!isIdentityFlow(type)) return [];
  const problems: ConfigProblem[] = [];
  if (route.scopes) {
    problems.push(
      configError(`${at}/scopes`, `scopes do not apply to ${type} routes: the flow handles tokens itself`),
    );
  }
  if (route.timeout_ms !== undefined) {
    problems.push(
      configWarning(`${at}/timeout_ms`, `ignored: ${type} uses its authorizer's timeout_ms (default 10000)`),
    );
  }
  // post_process's alias is the auth0_callback definition's reference, checked with every route's.

  if (usesEnvironmentOnly(config, route)) return problems;
  const choice = chooseFlowAuthorizer(config, route, at);
  if (!choice.ok) return [...problems, configError(choice.pointer, choice.message)];
  onChosen?.(choice.name);
  for (const field of integrationDefinition(type)?.identityFlow?.authorizerFields ?? []) {
    if (choice.def[field] === undefined) {
      problems.push(configError(`${choice.pointer}/${field}`, `is required by the ${type} route at ${at}`));
    }
  }
  if (type.startsWith('oidc_'))
    problems.push(...oidcFlowProblems(route, at, choice.def, sessionConfigOf(config, choice.name)));
  if (
    type === 'auth0_callback_redirect' ||
    type === 'auth0_callback' ||
    type === 'oidc_login' ||
    type === 'oidc_callback'
  ) {
    const redirectUri = choice.def.redirect_uri;
    if (redirectUri !== undefined)
      problems.push(...lintRedirectUri(redirectUri, `${choice.pointer}/redirect_uri`));
    const scope = choice.def.scope;
    if (scope !== undefined && !scope.split(/\s+/).includes('openid')) {
      problems.push(
        configWarning(
          `${choice.pointer}/scope`,
          'scope without "openid": the provider returns no id_token, so auth0_callback answers 502',
        ),
      );
    }
  }
  return problems;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** RFC 6749 §3.1.2: an absolute URI without fragment; the provider compares it exactly. */
function lintRedirectUri(value: string, pointer: string): ConfigProblem[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [configError(pointer, 'redirect_uri must be an absolute http(s) URL (the auth0_callback route)')];
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return [configError(pointer, `redirect_uri must use https (or http), not ${url.protocol.slice(0, -1)}`)];
  }
  if (url.hash) return [configError(pointer, 'redirect_uri must not contain a fragment (RFC 6749 §3.1.2)')];
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return [
      configWarning(pointer, 'redirect_uri uses plain http: authorization codes can be read in transit'),
    ];
  }
  return [];
}
