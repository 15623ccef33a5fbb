import type { AuthorizerConfig, GatewayConfig, RouteConfig } from '../../config/schema.js';
import { pointerToken } from '../../config/problems.js';
// The registry is read only inside functions: it imports the flows, which import this file.
import { integrationDefinition } from '../registry.js';

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
/** An integration type that is an identity flow (its definition says which provider runs it). */
export type IdentityFlowType = string;
export type IdentityProviderType = 'auth0' | 'supabase' | 'oidc';

/** The provider of an identity-flow type, from its definition in the integration registry. */
export function identityProvider(type: string | undefined): IdentityProviderType | undefined {
  return integrationDefinition(type)?.identityFlow?.provider;
}

/** True for the integration types whose route must not get the bearer-token step. */
export function isIdentityFlow(type: string | undefined): type is IdentityFlowType {
  return identityProvider(type) !== undefined;
}

/**
 * A Supabase flow configured the Serverless API Gateway's way: the project comes from the
 * environment (SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY) and no `supabase` authorizer exists, nor
 * does the route select one. The flow then needs no authorizer (docs/FLOWS.md).
 */
export function usesEnvironmentOnly(
  config: Pick<GatewayConfig, 'authorizer' | 'authorizers'>,
  route: RouteConfig,
): boolean {
  if (identityProvider(route.integration?.type) !== 'supabase') return false;
  if (route.auth !== undefined && route.auth !== false) return false;
  if (config.authorizer?.type === 'supabase') return false;
  return !Object.values(config.authorizers ?? {}).some((def) => def.type === 'supabase');
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
  const wanted = identityProvider(flow);
  if (flow === undefined || wanted === undefined) {
    return { ok: false, pointer: `${routePointer}/integration/type`, message: 'not an identity flow' };
  }
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
