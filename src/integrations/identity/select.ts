import type { AuthorizerConfig, GatewayConfig, RouteConfig } from '../../config/schema.js';
import { pointerToken } from '../../config/problems.js';

/**
 * Which authorizer an identity-flow route uses (docs/FLOWS.md "Which authorizer"). One function,
 * shared by the lint rule (`gatehouse validate`) and the factories (compile time), so both always
 * agree. Order:
 *   1. the route's `auth`: a name in `authorizers`, or `true` for the top-level `authorizer`;
 *      it must be of the flow's type (a jwt authorizer cannot log anyone in);
 *   2. the top-level `authorizer`, if it is of the flow's type;
 *   3. the only authorizer of that type in `authorizers` (several → name one with `auth`).
 * On a flow route `auth` only selects: it never puts a bearer-token check in front of the flow
 * (the callback is reached by a browser without a token; refresh must see expired tokens).
 */
export const IDENTITY_FLOW_TYPES = {
  auth0_callback_redirect: 'auth0',
  auth0_callback: 'auth0',
  auth0_userinfo: 'auth0',
  auth0_refresh: 'auth0',
  supabase_passwordless_auth: 'supabase',
  supabase_passwordless_verify: 'supabase',
  supabase_passwordless_auth_alt: 'supabase',
  oidc_login: 'oidc',
  oidc_callback: 'oidc',
  oidc_userinfo: 'oidc',
  oidc_refresh: 'oidc',
  oidc_logout: 'oidc',
} as const;

export type IdentityFlowType = keyof typeof IDENTITY_FLOW_TYPES;
export type IdentityProviderType = (typeof IDENTITY_FLOW_TYPES)[IdentityFlowType];

/** True for the integration types whose route must not get the bearer-token step. */
export function isIdentityFlow(type: string | undefined): type is IdentityFlowType {
  return type !== undefined && Object.hasOwn(IDENTITY_FLOW_TYPES, type);
}

export type FlowAuthorizerChoice =
  | {
      readonly ok: true;
      /** Key in the compiled authorizer map: `default` for the top-level `authorizer`. */
      readonly name: string;
      /** JSON pointer of the authorizer definition. */
      readonly pointer: string;
      readonly def: AuthorizerConfig;
    }
  | { readonly ok: false; readonly pointer: string; readonly message: string };

export function chooseFlowAuthorizer(
  config: Pick<GatewayConfig, 'authorizer' | 'authorizers'>,
  route: RouteConfig,
  routePointer: string,
): FlowAuthorizerChoice {
  const flow = route.integration?.type;
  if (!isIdentityFlow(flow)) {
    return { ok: false, pointer: `${routePointer}/integration/type`, message: 'not an identity flow' };
  }
  const wanted = IDENTITY_FLOW_TYPES[flow];
  const named = namedChoice(config, route, routePointer, flow, wanted);
  if (named) return named;

  if (config.authorizer?.type === wanted) {
    return { ok: true, name: 'default', pointer: '/authorizer', def: config.authorizer };
  }
  const candidates = Object.entries(config.authorizers ?? {}).filter(([, def]) => def.type === wanted);
  const [only] = candidates;
  if (candidates.length === 1 && only) {
    return { ok: true, name: only[0], pointer: `/authorizers/${pointerToken(only[0])}`, def: only[1] };
  }
  if (candidates.length > 1) {
    return {
      ok: false,
      pointer: `${routePointer}/auth`,
      message: `${flow} needs one ${wanted} authorizer, and "authorizers" has ${candidates.length} (${candidates.map(([n]) => n).join(', ')}): name one with "auth"`,
    };
  }
  return {
    ok: false,
    pointer: `${routePointer}/integration/type`,
    message: `${flow} needs an authorizer of type "${wanted}" (top-level "authorizer", or one in "authorizers"), and the config has none`,
  };
}

function namedChoice(
  config: Pick<GatewayConfig, 'authorizer' | 'authorizers'>,
  route: RouteConfig,
  routePointer: string,
  flow: IdentityFlowType,
  wanted: IdentityProviderType,
): FlowAuthorizerChoice | undefined {
  const { auth } = route;
  if (auth === undefined || auth === false) return undefined;
  const pointer = `${routePointer}/auth`;
  const entry: [string, string, AuthorizerConfig | undefined] =
    auth === true
      ? ['default', '/authorizer', config.authorizer]
      : [
          auth,
          `/authorizers/${pointerToken(auth)}`,
          config.authorizers && Object.hasOwn(config.authorizers, auth)
            ? config.authorizers[auth]
            : undefined,
        ];
  const [name, defPointer, def] = entry;
  if (!def) {
    const what =
      auth === true ? 'auth is true but there is no top-level "authorizer"' : `no authorizer named "${auth}"`;
    return { ok: false, pointer, message: what };
  }
  if (def.type !== wanted) {
    const what = auth === true ? 'the top-level "authorizer"' : `authorizer "${auth}"`;
    return {
      ok: false,
      pointer,
      message: `${what} is of type "${def.type}"; ${flow} needs a "${wanted}" authorizer`,
    };
  }
  return { ok: true, name, pointer: defPointer, def };
}
