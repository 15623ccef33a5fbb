import * as oauth from 'oauth4webapi';
import type { RequestContext } from '../../context.js';
import { callProvider, type ProviderResult } from './provider-call.js';

/** Options accepted by every oauth4webapi request function the flows use. */
export type FlowRequestOptions = oauth.TokenEndpointRequestOptions & oauth.UserInfoRequestOptions;

/** Sends exactly one request through oauth4webapi with the flow's fetch, deadline and signal. */
export type OAuthProviderCall = (
  ctx: RequestContext,
  send: (options: FlowRequestOptions) => Promise<Response>,
) => Promise<ProviderResult>;

/**
 * The one way the Auth0 and OpenID Connect flows reach their provider: oauth4webapi's request
 * goes through callProvider (the platform's fetch, one deadline, capped body, the client's
 * signal). `insecure` allows `http:` providers (local test servers), decided once per client.
 */
export function oauthProviderCall(
  fetchImpl: typeof fetch,
  timeoutMs: number,
  insecure: boolean,
): OAuthProviderCall {
  return (ctx, send) =>
    callProvider(
      (boundFetch, signal) =>
        send({
          [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<string, unknown>) =>
            boundFetch(url, init as RequestInit),
          [oauth.allowInsecureRequests]: insecure,
          signal,
        }),
      { fetch: fetchImpl, timeoutMs, signal: ctx.signal },
    );
}
