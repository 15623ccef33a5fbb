import * as oauth from 'oauth4webapi';
import { replyToResponse, type Reply } from '../../answer.js';
import { requireScopes } from '../../auth/scopes.js';
import type { Authorizer } from '../../auth/types.js';
import type { RequestContext, Step } from '../../context.js';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import { csrfRefusal } from '../../session/csrf.js';
import { sessionClaims, sessionFromTokens, type SessionRecord } from '../../session/record.js';
import type { SessionSettings } from '../../session/settings.js';
import { openSession, sealSession, wantsTouch } from '../../session/store.js';
import { useSessionCredentials } from '../../session/upstream-request.js';
import type { IntegrationDeps } from '../definition.js';
import { oidcFlowsOf, type OidcFlows } from './client.js';
import { refreshGrant } from './refresh-grant.js';
import { LEASE_MARGIN_MS, refreshOnce } from './shared-refresh.js';

/**
 * The authorization step of a route protected by an `oidc` authorizer whose login has `session`
 * (docs/FLOWS.md "Browser sessions"). A request with an `Authorization` header, or without the
 * session cookie, is judged as a bearer request exactly like any protected route. Otherwise:
 *   - the sealed session must open (else 401 SESSION_EXPIRED, and the cookie is cleared);
 *   - a state-changing method must pass the Origin check (else 403 SESSION_CSRF_REJECTED);
 *   - an access token about to expire (refreshDue) is refreshed first — one grant shared by
 *     concurrent requests, the rotated refresh token kept — and the new session cookie goes out
 *     with this response; a refresh the provider refuses ends the session (401 SESSION_EXPIRED);
 *   - the upstream gets `Authorization: Bearer <access token>` and not the session cookie;
 *     `scopes` are checked against the granted scope; routes see the ID token's identity claims.
 */
const EXPIRY_MARGIN_MS = 10_000;

/**
 * Refresh this long before expiry: EXPIRY_MARGIN_MS, but at most a tenth of the token's lifetime
 * (a provider issuing 5-second tokens would otherwise see a refresh on every request).
 */
function refreshDue(record: SessionRecord, now: number): boolean {
  const lifetime = record.ati === undefined ? Infinity : record.ate - record.ati;
  return record.ate - Math.min(EXPIRY_MARGIN_MS, lifetime / 10) <= now;
}

export function createSessionAuthorizeStep(
  authorizer: Authorizer,
  scopes: readonly string[] | undefined,
  deps: Pick<IntegrationDeps, 'config' | 'platform'>,
): Step | undefined {
  const flows = oidcFlowsOf(authorizer, deps);
  const session = flows.session;
  if (!session) return undefined;
  const requiredScopes = scopes && scopes.length > 0 ? scopes : undefined;
  const trusted = new Set(session.returnTo.origins);
  if (flows.redirectUri) trusted.add(new URL(flows.redirectUri).origin);

  return async (ctx, next) => {
    const headers = ctx.request.headers;
    const cookieHeader = headers.get('cookie');
    const present = session.cookies.present(cookieHeader);
    if (headers.has('authorization') || present.length === 0) {
      ctx.claims = await authorizer.authenticate(headers);
      ctx.log.auth = 'ok';
      if (requiredScopes) requireScopes(ctx.claims, requiredScopes);
      return next(ctx);
    }
    const refused = csrfRefusal(ctx, trusted);
    if (refused) throw new GatewayError('SESSION_CSRF_REJECTED', { detail: { reason: refused } });
    const { record, commit } = await activeSession(flows, session, ctx);
    ctx.claims = sessionClaims(record);
    ctx.log.auth = 'session';
    if (requiredScopes) requireScopes(ctx.claims, requiredScopes);
    useSessionCredentials(ctx, record.at, present);
    return commit(await next(ctx));
  };
}

export interface ActiveSession {
  readonly record: SessionRecord;
  /** Adds the renewed session cookie to the response when the session changed (refresh, idle touch). */
  commit(reply: Reply): Promise<Reply>;
}

/**
 * The request's session with a usable access token, refreshed first when it is about to expire.
 * Throws 401 SESSION_EXPIRED, clearing the cookie, when there is none; unreachable providers
 * propagate.
 */
export async function activeSession(
  flows: OidcFlows,
  session: SessionSettings,
  ctx: RequestContext,
  options: { readonly force?: boolean } = {},
): Promise<ActiveSession> {
  const cookieHeader = ctx.request.headers.get('cookie');
  const now = flows.platform.now();
  const secure = flows.secureCookies || ctx.client.protocol === 'https';
  let record = await openSession(session, cookieHeader, now);
  if (!record) throw ended(session, cookieHeader, secure, 'session cookie missing, altered or expired');
  let changed = false;
  let sealed: string[] | undefined;
  if (options.force === true || refreshDue(record, now)) {
    const { store } = session;
    if (store && record.sid !== undefined) {
      // A shared store: one refresh across every process sharing it (shared-refresh.ts).
      const outcome = await refreshOnce(ctx, {
        session,
        store,
        record: { ...record, sid: record.sid },
        leaseMs: flows.providerTimeoutMs + LEASE_MARGIN_MS,
        now: () => flows.platform.now(),
        refresh: (current) => refresh(flows, ctx, current, now),
        save: (renewed) => sealSession(session, renewed, now, secure, cookieHeader),
      });
      if (outcome.kind === 'ended') throw ended(session, cookieHeader, secure, outcome.reason);
      record = outcome.record;
      if (outcome.kind === 'renewed') {
        changed = true;
        sealed = outcome.cookies;
      }
    } else {
      const refreshed = await refresh(flows, ctx, record, now);
      if (typeof refreshed === 'string') throw ended(session, cookieHeader, secure, refreshed);
      record = refreshed;
      changed = true;
      ctx.log.session = 'refreshed';
    }
  } else if (wantsTouch(session, record, now)) {
    record = { ...record, la: now };
    changed = true;
  }
  const final = record;
  return {
    record: final,
    async commit(reply) {
      if (!changed) return reply;
      const response = replyToResponse(reply);
      for (const line of sealed ?? (await sealSession(session, final, now, secure, cookieHeader))) {
        response.headers.append('set-cookie', line);
      }
      return response;
    },
  };
}

/** The refreshed session, or why the session is over. Unreachable providers propagate (502/504). */
async function refresh(
  flows: OidcFlows,
  ctx: RequestContext,
  record: SessionRecord,
  now: number,
): Promise<SessionRecord | string> {
  if (record.rt === undefined) return 'access token expired and the session has no refresh token';
  try {
    const { tokens } = await refreshGrant(flows, ctx, record.rt);
    return sessionFromTokens(tokens, oauth.getValidatedIdTokenClaims(tokens), now, record);
  } catch (error) {
    if (isGatewayError(error)) {
      const status = error.detail?.providerStatus;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        return `refresh refused by the provider (${String(error.detail?.providerError ?? status)})`;
      }
    }
    throw error;
  }
}

/** 401 SESSION_EXPIRED, clearing every part of the session cookie (one Set-Cookie line each). */
function ended(
  session: SessionSettings,
  cookieHeader: string | null,
  secure: boolean,
  reason: string,
): GatewayError {
  return new GatewayError('SESSION_EXPIRED', {
    detail: { reason },
    setCookies: session.cookies.clear(cookieHeader, secure),
  });
}
