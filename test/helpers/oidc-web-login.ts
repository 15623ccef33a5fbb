import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import {
  startOpenIdProvider,
  type OpenIdProvider,
  type OpenIdProviderOptions,
} from '../fixtures/openid-provider.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { gatewayOrigin, WEB_CLIENT_ID, WEB_CLIENT_SECRET } from '../flows/oidc-setup.js';

/**
 * The setup every browser login test of the OpenID Connect flows shares: a free origin for the
 * gateway (its redirect URI is known before the provider starts), a recording upstream, a real
 * OpenID provider (`oidc-provider`) with the web app's client registered for that origin, and
 * Chromium. The test starts its own gateway (Node or workerd) at `origin`.
 */
export interface OidcWebLogin {
  readonly origin: string;
  readonly upstream: RecordingUpstream;
  readonly provider: OpenIdProvider;
  readonly browser: Browser;
  /** Stops the browser, the provider and the upstream (the test stops its gateway). */
  close(): Promise<void>;
}

export interface OidcWebLoginOptions extends Omit<OpenIdProviderOptions, 'clients'> {
  /** Where the provider may send the browser after logout (default `/app/logged-out`). */
  readonly postLogoutPath?: string;
}

export async function startOidcWebLogin(options: OidcWebLoginOptions = {}): Promise<OidcWebLogin> {
  const { postLogoutPath = '/app/logged-out', ...providerOptions } = options;
  const origin = await gatewayOrigin();
  const upstream = await startRecordingUpstream();
  const provider = await startOpenIdProvider({
    ...providerOptions,
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        client_secret: WEB_CLIENT_SECRET,
        redirect_uris: [`${origin}/auth/callback`],
        post_logout_redirect_uris: [`${origin}${postLogoutPath}`],
      },
    ],
  });
  const browser = await launchChromium();
  return {
    origin,
    upstream,
    provider,
    browser,
    async close() {
      await browser.close();
      await provider.close();
      await upstream.close();
    },
  };
}
