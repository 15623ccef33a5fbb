import type { AuthorizerConfig } from '../config/schema.js';
import { configError, type ConfigProblem } from '../config/problems.js';

/**
 * Extra authorization-request parameters (docs/CONFIG.md "oidc authorizer"), shared by the
 * `oidc` flows and the `auth0` preset: `prompt` (`consent` is what makes spec-strict providers
 * issue a refresh token for `offline_access`), `login_hint`, Auth0's `organization`,
 * `connection` and `screen_hint`, and anything else in `authorization_params`. The parameters
 * the flow sets itself are reserved.
 */
export const EXTRA_PARAM_FIELDS = [
  'prompt',
  'login_hint',
  'organization',
  'connection',
  'screen_hint',
  'authorization_params',
] as const;

export const RESERVED_AUTHORIZATION_PARAMS = new Set([
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'response_mode',
  'request',
  'request_uri',
]);

export function extraAuthorizationParams(def: AuthorizerConfig): [string, string][] {
  const params: [string, string][] = [];
  for (const name of ['prompt', 'login_hint', 'organization', 'connection', 'screen_hint'] as const) {
    const value = def[name];
    if (value !== undefined) params.push([name, value]);
  }
  for (const [name, value] of Object.entries(def.authorization_params ?? {})) {
    if (!RESERVED_AUTHORIZATION_PARAMS.has(name)) params.push([name, value]);
  }
  return params;
}

export function lintAuthorizationParams(def: AuthorizerConfig, pointer: string): ConfigProblem[] {
  return Object.keys(def.authorization_params ?? {})
    .filter((name) => RESERVED_AUTHORIZATION_PARAMS.has(name))
    .map((name) =>
      configError(`${pointer}/authorization_params/${name}`, `"${name}" is set by the login flow itself`),
    );
}
