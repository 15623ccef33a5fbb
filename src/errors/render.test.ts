import { describe, expect, it } from 'vitest';
import { GatewayError } from './gateway-error.js';
import { gatewayErrorAnswer, renderGatewayError } from './render.js';

/**
 * A flow error's answer takes from the provider only what its catalogue row allows
 * (docs/ERRORS.md "Identity flows"): the status of a `passesProviderStatus` row, the words of a
 * `passesProviderMessage` row, the declared `fields` — never anything else.
 */
async function answerOf(error: GatewayError): Promise<{ status: number; body: unknown }> {
  const response = renderGatewayError(error);
  const answer = gatewayErrorAnswer(error);
  expect(answer.status).toBe(response.status);
  return { status: response.status, body: await response.json() };
}

describe('provider variation', () => {
  it('passes a 4xx/5xx provider status on where the row allows it, else the row status', async () => {
    const refused = (status: number) => new GatewayError('AUTH0_REFRESH_FAILED', { variation: { status } });
    expect(await answerOf(refused(403))).toEqual({
      status: 403,
      body: { error: 'Auth0 refresh token failed', code: 'AUTH0_UPSTREAM_ERROR' },
    });
    expect((await answerOf(refused(503))).status).toBe(503);
    for (const status of [200, 302, 399, 600]) expect((await answerOf(refused(status))).status).toBe(502);
    // A row without passesProviderStatus keeps its own status.
    const oidc = new GatewayError('OIDC_PROVIDER_REFUSED', { variation: { status: 401 } });
    expect((await answerOf(oidc)).status).toBe(502);
  });

  it('carries provider words only on rows that pass them', async () => {
    const words = { message: 'Email rate limit exceeded' };
    expect(await answerOf(new GatewayError('SUPABASE_OTP_SEND_FAILED', { variation: words }))).toEqual({
      status: 400,
      body: { error: 'Email rate limit exceeded', code: 'SUPABASE_OTP_SEND_FAILED' },
    });
    expect((await answerOf(new GatewayError('SUPABASE_OTP_SEND_FAILED'))).body).toEqual({
      error: 'Failed to send OTP',
      code: 'SUPABASE_OTP_SEND_FAILED',
    });
    expect((await answerOf(new GatewayError('SUPABASE_UPSTREAM_ERROR', { variation: words }))).body).toEqual({
      error: 'Supabase Auth failed',
      code: 'SUPABASE_UPSTREAM_ERROR',
    });
  });

  it('adds only the fields the row declares', async () => {
    const fields = { provider_error: 'access_denied', injected: 'x' };
    expect((await answerOf(new GatewayError('OIDC_LOGIN_FAILED', { variation: { fields } }))).body).toEqual({
      error: 'The identity provider did not complete the login',
      code: 'OIDC_LOGIN_FAILED',
      provider_error: 'access_denied',
    });
  });
});
