import * as oauth from 'oauth4webapi';
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { Session } from '../../config/schema.js';
import type { Handler } from '../../context.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { IntegrationDefinition } from '../definition.js';
import { requireFlowAuthorizer } from '../identity/authorizer.js';
import { OIDC_LOGIN_AUTHORIZER_FIELDS } from '../identity/login-fields.js';
import { oidcFlowsOf, oidcLoginFlows, type LoginFlows, type OidcFlows } from './client.js';
import type { LoginTransaction } from './transactions.js';
import { ANSWER_STATUS } from '../../errors/statuses.js';

/**
 * `oidc_login` (docs/FLOWS.md "OpenID Connect"): sends the browser to the provider's
 * `authorization_endpoint` (from discovery) with PKCE S256, a fresh `state` and `nonce`, the
 * configured scopes and authorization parameters. The transaction — state, nonce, verifier and
 * the return URL — is sealed into a short-lived cookie; with `session`, `?return_to=` must be on
 * the allow-list (else 400 OIDC_RETURN_TO_NOT_ALLOWED, no redirect at all). The request may
 * choose `?login_hint=`, `?prompt=` (none, login, consent, select_account, create) and
 * `?screen_hint=` (signup, login); they override the configured values. The `auth0` preset
 * (`auth0_callback_redirect`) sends no nonce, takes the client's `?state=` when given, and
 * writes `audience` last, as it always has.
 */
const MAX_HINT_LENGTH = 256;
/** (auth0) The longest `?state=` a client may carry through the login. */
export const MAX_CLIENT_STATE_LENGTH = 512;
/** What a request may choose itself (a silent-login attempt, a sign-up button): standard values only. */
const REQUEST_PROMPTS = new Set(['none', 'login', 'consent', 'select_account', 'create']);
const REQUEST_SCREEN_HINTS = new Set(['signup', 'login']);

/**
 * `oidc_login`'s schema part: the browser session its logins open (docs/CONFIG.md "session"; the
 * route itself may carry it instead).
 */
const OIDC_LOGIN_FIELDS = { session: Type.Optional(Session) };
type OidcLoginFields = Static<TObject<typeof OIDC_LOGIN_FIELDS>>;
declare module '../../config/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the part's fields
  interface IntegrationFields extends OidcLoginFields {}
}

export const oidcLoginIntegration: IntegrationDefinition = {
  fields: OIDC_LOGIN_FIELDS,
  identityFlow: { provider: 'oidc', authorizerFields: OIDC_LOGIN_AUTHORIZER_FIELDS },
  create: (route, deps) => {
    const authorizer = requireFlowAuthorizer(route, deps, 'oidc', OIDC_LOGIN_AUTHORIZER_FIELDS);
    return loginHandler(oidcFlowsOf(authorizer, deps), oidcLoginFlows(authorizer, deps));
  },
};

/** The login route of a preset's flows (`oidc_login`, `auth0_callback_redirect`). */
export function loginHandler(flows: OidcFlows, login: LoginFlows): Handler {
  return async (ctx) => {
    const query = new URLSearchParams(ctx.search);
    const given = flows.login.clientState ? query.get('state') : null;
    if (given !== null && given.length > MAX_CLIENT_STATE_LENGTH) {
      throw new GatewayError(flows.errors.invalidState, {
        detail: { reason: `state longer than ${MAX_CLIENT_STATE_LENGTH} characters` },
      });
    }
    let returnTo: string | undefined;
    if (flows.session) {
      returnTo = flows.session.returnTo.resolve(query.get('return_to'));
      if (returnTo === undefined) {
        throw new GatewayError('OIDC_RETURN_TO_NOT_ALLOWED', {
          detail: {
            reason: 'return_to is not on session.return_to',
            requested: query.get('return_to')?.slice(0, 200),
          },
        });
      }
    }
    const as = await flows.metadata();
    const transaction: LoginTransaction = {
      state: given || oauth.generateRandomState(),
      verifier: oauth.generateRandomCodeVerifier(),
      ...(flows.login.nonce ? { nonce: oauth.generateRandomNonce() } : {}),
      ...(returnTo === undefined ? {} : { returnTo }),
    };
    const challenge = await oauth.calculatePKCECodeChallenge(transaction.verifier);
    const now = flows.platform.now();
    // Secure when this request, or the callback the provider will send the browser to, is https
    // (behind a TLS-terminating proxy the gateway itself may only see http).
    const secure = flows.secureCookies || ctx.client.protocol === 'https';
    const choices = flows.login.requestChoices ? requestChoices(query) : [];
    const cookies = await login.transactions.issue(
      transaction,
      now,
      secure,
      ctx.request.headers.get('cookie'),
    );
    const headers = new Headers({
      location: authorizationUrl(flows, login.redirectUri, as, transaction, challenge, choices),
      'cache-control': 'no-store',
    });
    for (const line of cookies) headers.append('set-cookie', line);
    ctx.log.auth = 'login started';
    return new Response(null, { status: ANSWER_STATUS.flowRedirect, headers });
  };
}

/**
 * The authorization request (every parameter encoded by URLSearchParams): the preset's fixed
 * parameters, the request's choices, the protocol's own (which win), then trailing ones.
 */
export function authorizationUrl(
  flows: OidcFlows,
  redirectUri: string,
  as: oauth.AuthorizationServer,
  transaction: LoginTransaction,
  challenge: string,
  choices: readonly (readonly [string, string])[],
): string {
  if (typeof as.authorization_endpoint !== 'string') {
    throw new GatewayError('OIDC_DISCOVERY_FAILED', { detail: { reason: 'no authorization_endpoint' } });
  }
  const url = new URL(as.authorization_endpoint);
  const params = url.searchParams;
  for (const [name, value] of flows.authorizationParams) params.set(name, value);
  for (const [name, value] of choices) params.set(name, value);
  params.set('response_type', 'code');
  params.set('client_id', flows.clientId);
  params.set('redirect_uri', redirectUri);
  params.set('scope', flows.scope);
  params.set('state', transaction.state);
  if (transaction.nonce !== undefined) params.set('nonce', transaction.nonce);
  params.set('code_challenge', challenge);
  params.set('code_challenge_method', 'S256');
  for (const [name, value] of flows.login.trailingParams) params.set(name, value);
  return url.href;
}

/** `?login_hint=`, `?prompt=`, `?screen_hint=` of the login request, when acceptable. */
function requestChoices(query: URLSearchParams): [string, string][] {
  const choices: [string, string][] = [];
  const hint = query.get('login_hint');
  if (hint && hint.length <= MAX_HINT_LENGTH) choices.push(['login_hint', hint]);
  const prompt = query.get('prompt');
  if (prompt !== null && REQUEST_PROMPTS.has(prompt)) choices.push(['prompt', prompt]);
  const screenHint = query.get('screen_hint');
  if (screenHint !== null && REQUEST_SCREEN_HINTS.has(screenHint)) choices.push(['screen_hint', screenHint]);
  return choices;
}
