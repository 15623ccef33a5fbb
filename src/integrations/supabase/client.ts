import type { Platform } from '../../platform.js';
import { callProvider, type ProviderResult } from '../identity/provider-call.js';
import type { SupabaseEnvironment } from './environment.js';

/**
 * A small client for the Supabase Auth (GoTrue) REST endpoints the passwordless flows use:
 * `POST /auth/v1/otp`, `/auth/v1/verify`, `/auth/v1/signup`, authenticated with the project's
 * service-role key in both `apikey` and `Authorization: Bearer` (the headers supabase-js sends).
 * Built once per config (docs/FLOWS.md: "Create the client once per config, not per request").
 */
export type SupabaseAuthEndpoint = 'otp' | 'verify' | 'signup';

export interface SupabaseAuthClient {
  /** Exactly one POST; the answer (any status) or why there was none. */
  post(
    endpoint: SupabaseAuthEndpoint,
    body: Readonly<Record<string, unknown>>,
    signal: AbortSignal,
  ): Promise<ProviderResult>;
}

export function createSupabaseAuthClient(
  environment: Extract<SupabaseEnvironment, { ok: true }>,
  platform: Pick<Platform, 'fetch'>,
  timeoutMs: number,
): SupabaseAuthClient {
  const urls: Readonly<Record<SupabaseAuthEndpoint, string>> = {
    otp: `${environment.authBase}otp`,
    verify: `${environment.authBase}verify`,
    signup: `${environment.authBase}signup`,
  };
  const headers: Readonly<Record<string, string>> = {
    apikey: environment.serviceRoleKey,
    authorization: `Bearer ${environment.serviceRoleKey}`,
    'content-type': 'application/json',
    accept: 'application/json',
  };
  return {
    post: (endpoint, body, signal) =>
      callProvider(
        (fetchImpl) => fetchImpl(urls[endpoint], { method: 'POST', headers, body: JSON.stringify(body) }),
        { fetch: platform.fetch, timeoutMs, signal },
      ),
  };
}
