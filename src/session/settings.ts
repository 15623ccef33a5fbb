import type { Authorizer } from '../auth/types.js';
import type { AuthorizerConfig, GatewayConfig, RouteConfig, SessionConfig } from '../config/schema.js';
import { chooseFlowAuthorizer } from '../integrations/identity/select.js';
import {
  ConfigInvalidError,
  configError,
  configWarning,
  pointerToken,
  type ConfigProblem,
} from '../config/problems.js';
import type { Platform } from '../platform.js';
import { createReturnToPolicy, type ReturnToPolicy } from './return-to.js';
import { isKvLike, kvSessionStore, type SessionStore } from './server-store.js';
import { createSealedCookies, type SealedCookies } from './sealed-cookie.js';

/**
 * The browser session of one `oidc` authorizer (docs/FLOWS.md "Browser sessions"), resolved
 * once per compiled config from the `session` object of its `oidc_login` route: the sealed
 * cookie, the lifetimes and the return-URL allow-list. Every flow of that authorizer and every
 * route it protects shares it.
 */
export const DEFAULT_SESSION_TTL_S = 8 * 3600;
export const DEFAULT_IDLE_TTL_S = 3600;

export interface SessionSettings {
  readonly cookies: SealedCookies;
  /** Where records live when `session.store` is set; absent: in the cookie. */
  readonly store?: SessionStore;
  readonly ttlMs: number;
  readonly idleTtlMs: number;
  readonly returnTo: ReturnToPolicy;
}

/** The `session` object of the authorizer's `oidc_login` route, if it has one. */
export function sessionConfigOf(config: GatewayConfig, authorizerName: string): SessionConfig | undefined {
  for (const [index, route] of config.paths.entries()) {
    const session = routeSession(route);
    if (route.integration?.type !== 'oidc_login' || !session) continue;
    const choice = chooseFlowAuthorizer(config, route, `/paths/${index}`);
    if (choice.ok && choice.name === authorizerName) return session;
  }
  return undefined;
}

/** A login route's `session`: in its `integration` object or on the route itself (both accepted). */
export function routeSession(route: RouteConfig): SessionConfig | undefined {
  return route.integration?.session ?? route.session;
}

export function defaultSessionCookieName(authorizerName: string): string {
  return authorizerName === 'default'
    ? 'gatehouse_session'
    : `gatehouse_session_${authorizerName.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * The key cookies are sealed with: `session.secret`, else the client's own credential; none for
 * a public client without `session.secret` (the checks refuse its login routes then:
 * integrations/oidc/lint.ts uses this same function).
 */
export function sealingKey(def: AuthorizerConfig, session: SessionConfig | undefined): string | undefined {
  if (session?.secret) return session.secret;
  if (def.client_secret) return def.client_secret;
  if (def.client_private_key !== undefined) return JSON.stringify(def.client_private_key);
  return undefined;
}

/**
 * The sealing key of an authorizer whose login routes or session the checks accepted, so it has
 * one; a config assembled without the checks is refused (fail closed) rather than sealed with an
 * empty key.
 */
export function cookieSecret(authorizer: Authorizer, session: SessionConfig | undefined): string {
  const key = sealingKey(authorizer.config, session);
  if (key !== undefined) return key;
  const at = authorizer.name === 'default' ? '/authorizer' : `/authorizers/${pointerToken(authorizer.name)}`;
  throw new ConfigInvalidError([
    configError(at, 'no key to seal cookies with: set session.secret, client_secret or client_private_key'),
  ]);
}

/** The OpenID client a session belongs to: its cookies are sealed for this issuer and client only. */
export interface SessionClient {
  readonly issuer: string;
  readonly clientId: string;
}

export function createSessionSettings(
  authorizer: Authorizer,
  session: SessionConfig,
  client: SessionClient,
  platform?: Pick<Platform, 'bindings' | 'redisStore'>,
): SessionSettings {
  const store = session.store && platform ? sessionStore(session.store, platform) : undefined;
  return {
    ...(store ? { store } : {}),
    cookies: createSealedCookies({
      name: session.cookie ?? defaultSessionCookieName(authorizer.name),
      secret: cookieSecret(authorizer, session),
      context: `session|${client.issuer}|${client.clientId}`,
    }),
    ttlMs: (session.ttl_s ?? DEFAULT_SESSION_TTL_S) * 1000,
    idleTtlMs: (session.idle_ttl_s ?? DEFAULT_IDLE_TTL_S) * 1000,
    returnTo: createReturnToPolicy(session.return_to, publicOrigin(authorizer.config.redirect_uri)),
  };
}

/** The gateway's public origin, as its redirect_uri names it. */
export function publicOrigin(redirectUri: string | undefined): string | undefined {
  if (redirectUri === undefined) return undefined;
  try {
    return new URL(redirectUri).origin;
  } catch {
    return undefined;
  }
}

/**
 * The configured server-side store: Redis by URL (Node), or a KV namespace binding (Workers;
 * on Node any `--binding` module with the same get/put/delete). Unavailable → config refused.
 */
function sessionStore(
  spec: NonNullable<SessionConfig['store']>,
  platform: Pick<Platform, 'bindings' | 'redisStore'>,
): SessionStore {
  if (spec.type === 'redis') {
    if (!platform.redisStore) {
      throw new ConfigInvalidError([
        configError('/paths', 'session.store "redis" needs the Node runtime; on Workers use "kv"'),
      ]);
    }
    return platform.redisStore(spec.url);
  }
  const binding = platform.bindings[spec.binding];
  // A missing binding was reported by checkSessionStores (an error when serving); commands that
  // compile without serving (validate) get a store that fails if it is ever used.
  if (!isKvLike(binding)) return unavailableStore(`no KV namespace binding "${spec.binding}"`);
  return kvSessionStore(binding);
}

function unavailableStore(reason: string): SessionStore {
  const fail = () => Promise.reject(new Error(reason));
  return {
    get: fail,
    put: fail,
    delete: fail,
    acquireLease: fail,
    releaseLease: fail,
    atomicLeases: false,
  };
}

/**
 * `session.store` KV bindings the runtime does not provide, like checkBindings does for service
 * bindings: an error when the config is compiled to serve, a warning for validate and routes.
 */
export function checkSessionStores(
  config: GatewayConfig,
  bindings: Readonly<Record<string, unknown>>,
  severity: 'error' | 'warning',
): ConfigProblem[] {
  const problem = severity === 'error' ? configError : configWarning;
  const problems: ConfigProblem[] = [];
  config.paths.forEach((route, index) => {
    const store = routeSession(route)?.store;
    if (store?.type !== 'kv' || isKvLike(bindings[store.binding])) return;
    const at = route.integration?.session ? 'integration/session' : 'session';
    problems.push(
      problem(
        `/paths/${index}/${at}/store/binding`,
        `no KV namespace binding "${store.binding}" in this runtime`,
      ),
    );
  });
  return problems;
}
