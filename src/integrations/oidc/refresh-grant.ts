import * as oauth from 'oauth4webapi';
import type { RequestContext } from '../../context.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { replayAnswer, type OidcFlows } from './client.js';
import { describe } from './errors.js';

/**
 * One `refresh_token` grant per refresh token (docs/FLOWS.md "Refresh"). Providers that rotate
 * refresh tokens (RFC 9700 §4.14.2) accept each one once — and may revoke the whole grant when
 * one is reused — while a browser easily sends several requests at the moment its access token
 * expires. So concurrent refreshes with the same token share one call, and its result is
 * remembered for REUSE_WINDOW_MS for requests that still carry the old session cookie.
 */
export interface RefreshOutcome {
  readonly tokens: oauth.TokenEndpointResponse;
  /** The provider's JSON as it came (the `oidc_refresh` answer). */
  readonly text: string;
}

const REUSE_WINDOW_MS = 30_000;
const MAX_REMEMBERED = 1000;

interface Entry {
  readonly outcome: Promise<RefreshOutcome>;
  readonly startedAt: number;
  /** The refresh token the grant returned (a rotating provider's new one), once known. */
  issued?: string;
}

const memos = new WeakMap<OidcFlows, Map<string, Entry>>();

export function refreshGrant(
  flows: OidcFlows,
  ctx: RequestContext,
  refreshToken: string,
): Promise<RefreshOutcome> {
  // A preset that keeps one grant per request (`auth0_refresh`, as it always has).
  if (!flows.refresh.shareGrants) return runGrant(flows, ctx, refreshToken);
  let memo = memos.get(flows);
  if (!memo) {
    memo = new Map();
    memos.set(flows, memo);
  }
  const now = flows.platform.now();
  const known = memo.get(refreshToken);
  if (known && now - known.startedAt < REUSE_WINDOW_MS) return known.outcome;
  for (const [token, entry] of memo) {
    if (memo.size < MAX_REMEMBERED && now - entry.startedAt < REUSE_WINDOW_MS) break;
    memo.delete(token);
  }
  const outcome = runGrant(flows, ctx, refreshToken);
  const entry: Entry = { outcome, startedAt: now };
  memo.set(refreshToken, entry);
  outcome.then(
    ({ tokens }) => {
      entry.issued = tokens.refresh_token ?? refreshToken;
    },
    () => undefined,
  );
  // A failure is not remembered: the next request may try again (the provider may be back).
  outcome.catch(() => {
    if (memo.get(refreshToken) === entry) memo.delete(refreshToken);
  });
  return outcome;
}

/**
 * Forgets what is remembered about a session's refresh token — the grant made with it, and the
 * grant that issued it — so that after a logout no copy of the session, older or current, gets
 * tokens from memory.
 */
export function forgetRefreshGrant(flows: OidcFlows, refreshToken: string): void {
  const memo = memos.get(flows);
  if (!memo) return;
  for (const [token, entry] of memo) {
    if (token === refreshToken || entry.issued === refreshToken) memo.delete(token);
  }
}

async function runGrant(
  flows: OidcFlows,
  ctx: RequestContext,
  refreshToken: string,
): Promise<RefreshOutcome> {
  const action = 'refresh token';
  const as = await flows.metadata();
  const clientAuth = await flows.clientAuth();
  const result = await flows.call(ctx, (options) =>
    oauth.refreshTokenGrantRequest(as, flows.client, clientAuth, refreshToken, options),
  );
  const failed = flows.errors.providerFailure(action, result);
  if (failed) throw failed;
  if (result.kind !== 'answer')
    throw new GatewayError('ERR_INTERNAL', { detail: { action, reason: 'no answer' } });
  try {
    const tokens = await oauth.processRefreshTokenResponse(as, flows.client, replayAnswer(result));
    return { tokens, text: result.text };
  } catch (error) {
    throw flows.errors.invalidAnswer(action, false, { reason: describe(error) });
  }
}
