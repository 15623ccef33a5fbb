import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSupabaseAuth, type SupabaseAuthServer } from '../fixtures/supabase-auth.js';
import { startNodeTarget, type GatewayTarget } from '../helpers/targets.js';
import { closedPort, jsonOf } from './browser.js';

/**
 * The Supabase passwordless flows through the real Node gateway against a local GoTrue
 * (test/fixtures/supabase-auth.ts): success paths with the provider's recordings, and every
 * error row of docs/FLOWS.md "Supabase".
 */
function supabaseConfig(jwtSecret: string, overrides: Record<string, unknown> = {}) {
  return {
    authorizers: {
      supabase: {
        type: 'supabase',
        jwt_secret: jwtSecret,
        audience: 'authenticated',
        timeout_ms: 1000,
        ...overrides,
      },
    },
    paths: [
      { method: 'POST', path: '/auth/otp', integration: { type: 'supabase_passwordless_auth' } },
      { method: 'POST', path: '/auth/verify', integration: { type: 'supabase_passwordless_verify' } },
      { method: 'POST', path: '/auth/otp-alt', integration: { type: 'supabase_passwordless_auth_alt' } },
      { method: 'GET', path: '/api/me', auth: 'supabase', response: { ok: true } },
    ],
  };
}

let supabase: SupabaseAuthServer;
let gateway: GatewayTarget;

beforeAll(async () => {
  supabase = await startSupabaseAuth();
  gateway = await startNodeTarget(supabaseConfig(supabase.jwtSecret), {
    SUPABASE_URL: supabase.url,
    SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
  });
});

afterAll(async () => {
  await gateway?.close();
  await supabase?.close();
});

beforeEach(() => supabase.reset());

function post(target: GatewayTarget, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${target.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

describe('supabase_passwordless_auth + supabase_passwordless_verify', () => {
  it('email: OTP sent, then verified → 200 session that the supabase authorizer accepts', async () => {
    const email = 'ada@example.com';
    const sent = await post(gateway, '/auth/otp', { email });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toEqual({ message: 'Email OTP sent successfully' });
    expect(supabase.requests).toHaveLength(1);
    const [otp] = supabase.requests;
    expect(otp?.path).toBe('/auth/v1/otp');
    expect(otp?.headers.apikey).toBe(supabase.serviceRoleKey);
    expect(otp?.headers.authorization).toBe(`Bearer ${supabase.serviceRoleKey}`);
    expect(otp?.headers['content-type']).toBe('application/json');
    expect(otp?.body).toEqual({ email, create_user: true });

    const code = supabase.codeFor(email);
    expect(code).toMatch(/^\d{6}$/);
    const verified = await post(gateway, '/auth/verify', { email, token: code });
    expect(verified.status).toBe(200);
    expect(verified.headers.get('cache-control')).toBe('no-store');
    const session = await jsonOf(verified);
    expect(session).toMatchObject({ token_type: 'bearer', expires_in: 3600, user: { email } });
    expect(supabase.requests).toHaveLength(2);
    expect(supabase.requests[1]?.path).toBe('/auth/v1/verify');
    expect(supabase.requests[1]?.body).toEqual({ type: 'email', email, token: code });

    const me = await fetch(`${gateway.url}/api/me`, {
      headers: { authorization: `Bearer ${String(session.access_token)}` },
    });
    expect(me.status).toBe(200);
  });

  it('phone: SMS OTP sent, then verified with type sms', async () => {
    const phone = '+15555550100';
    const sent = await post(gateway, '/auth/otp', { phone });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toEqual({ message: 'SMS OTP sent successfully' });
    expect(supabase.requests[0]?.body).toEqual({ phone, create_user: true, channel: 'sms' });
    const token = supabase.codeFor(phone);
    const verified = await post(gateway, '/auth/verify', { phone, token });
    expect(verified.status).toBe(200);
    expect(supabase.requests[1]?.body).toEqual({ type: 'sms', phone, token });
  });

  it('missing email and phone → 400 missing_email_or_phone, no provider call', async () => {
    for (const body of [
      {},
      { email: '' },
      { email: 42 },
      { phone: '   ' },
      [],
      'null',
      '"ada@example.com"',
    ]) {
      const response = await post(gateway, '/auth/otp', body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'Missing email or phone',
        code: 'missing_email_or_phone',
      });
    }
    expect(supabase.requests).toHaveLength(0);
  });

  it('missing token or contact → 400 missing_token_or_contact, no provider call', async () => {
    for (const body of [
      {},
      { email: 'ada@example.com' },
      { token: '123456' },
      { token: '', phone: '+1555' },
    ]) {
      const response = await post(gateway, '/auth/verify', body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'Missing token, email, or phone',
        code: 'missing_token_or_contact',
      });
    }
    expect(supabase.requests).toHaveLength(0);
  });

  it('a body that is not JSON → 400 invalid_json on every flow, no provider call', async () => {
    for (const path of ['/auth/otp', '/auth/verify', '/auth/otp-alt']) {
      for (const body of ['email=ada@example.com', '{"email":', '']) {
        const response = await post(gateway, path, body, { 'content-type': 'text/plain' });
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ error: 'Request body must be JSON', code: 'invalid_json' });
      }
    }
    expect(supabase.requests).toHaveLength(0);
  });

  it('a body over 16 KiB → 413, no provider call', async () => {
    const response = await post(gateway, '/auth/otp', {
      email: 'ada@example.com',
      pad: 'x'.repeat(17 * 1024),
    });
    expect(response.status).toBe(413);
    expect(supabase.requests).toHaveLength(0);
  });

  it('provider refuses to send (4xx) → 400 SUPABASE_OTP_SEND_FAILED with its message', async () => {
    const response = await post(gateway, '/auth/otp', { email: 'not-an-email' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'Unable to validate email address: invalid format',
      code: 'SUPABASE_OTP_SEND_FAILED',
    });
    expect(supabase.requests).toHaveLength(1);
  });

  it('provider rate limit (429) → 400 SUPABASE_OTP_SEND_FAILED', async () => {
    supabase.setMode({
      kind: 'fail',
      status: 429,
      body: { code: 429, error_code: 'over_email_send_rate_limit', msg: 'Email rate limit exceeded' },
    });
    const response = await post(gateway, '/auth/otp', { email: 'ada@example.com' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'Email rate limit exceeded',
      code: 'SUPABASE_OTP_SEND_FAILED',
    });
  });

  it('provider rejects the code → 401 SUPABASE_OTP_VERIFY_FAILED', async () => {
    await post(gateway, '/auth/otp', { email: 'ada@example.com' });
    const response = await post(gateway, '/auth/verify', { email: 'ada@example.com', token: '000000' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: 'OTP verification failed',
      code: 'SUPABASE_OTP_VERIFY_FAILED',
    });
    expect(supabase.requests.map((r) => r.path)).toEqual(['/auth/v1/otp', '/auth/v1/verify']);
  });

  it("provider 5xx → the flow's own refusal, as for any provider error (docs/FLOWS.md)", async () => {
    supabase.setMode({ kind: 'fail', status: 500 });
    for (const [path, body, status, code] of [
      ['/auth/otp', { email: 'ada@example.com' }, 400, 'SUPABASE_OTP_SEND_FAILED'],
      ['/auth/verify', { email: 'ada@example.com', token: '123456' }, 401, 'SUPABASE_OTP_VERIFY_FAILED'],
      ['/auth/otp-alt', { email: 'ada@example.com' }, 400, 'SUPABASE_OTP_ALT_FAILED'],
    ] as const) {
      const response = await post(gateway, path, body);
      expect(response.status, path).toBe(status);
      expect(((await response.json()) as { code: string }).code, path).toBe(code);
    }
    expect(supabase.requests).toHaveLength(3);
  });

  it('a 2xx that is not a session → 502 SUPABASE_UPSTREAM_ERROR', async () => {
    supabase.setMode({ kind: 'not_json' });
    const response = await post(gateway, '/auth/verify', { email: 'ada@example.com', token: '123456' });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: 'Supabase Auth failed', code: 'SUPABASE_UPSTREAM_ERROR' });
    expect(supabase.requests).toHaveLength(1);
  });

  it('provider slower than timeout_ms → 504 SUPABASE_NETWORK_ERROR within the timeout', async () => {
    supabase.setMode({ kind: 'slow', delayMs: 5000 });
    const started = Date.now();
    const response = await post(gateway, '/auth/otp', { email: 'ada@example.com' });
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({
      error: 'Supabase Auth request failed',
      code: 'SUPABASE_NETWORK_ERROR',
    });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(supabase.requests).toHaveLength(1);
  });
});

describe('supabase_passwordless_auth_alt', () => {
  it('{email} → one sign-up with a random password → 200, the password never leaves', async () => {
    const response = await post(gateway, '/auth/otp-alt', { email: 'grace@example.com' });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ message: 'Confirmation email sent successfully' });
    expect(supabase.requests).toHaveLength(1);
    const [signup] = supabase.requests;
    expect(signup?.path).toBe('/auth/v1/signup');
    const body = signup?.body as { email: string; password: string };
    expect(Object.keys(body).sort()).toEqual(['email', 'password']);
    expect(body.email).toBe('grace@example.com');
    expect(body.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(text).not.toContain(body.password);
  });

  it('two sign-ups never share a password', async () => {
    await post(gateway, '/auth/otp-alt', { email: 'a@example.com' });
    await post(gateway, '/auth/otp-alt', { email: 'b@example.com' });
    const [first, second] = supabase.requests.map((r) => (r.body as { password: string }).password);
    expect(first).not.toBe(second);
  });

  it('missing email (a phone is not enough) → 400 missing_email, no provider call', async () => {
    for (const body of [{}, { phone: '+15555550100' }, { email: '' }]) {
      const response = await post(gateway, '/auth/otp-alt', body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'Missing email - alternative method only supports email',
        code: 'missing_email',
      });
    }
    expect(supabase.requests).toHaveLength(0);
  });

  it('provider error → 400 SUPABASE_OTP_ALT_FAILED with its message', async () => {
    const response = await post(gateway, '/auth/otp-alt', { email: 'nope' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'Unable to validate email address: invalid format',
      code: 'SUPABASE_OTP_ALT_FAILED',
    });
  });
});

describe('environment', () => {
  it('SUPABASE_URL / SUPABASE_SERVICE_ROLE_KEY missing → 500 SUPABASE_ENV_MISSING on every flow', async () => {
    for (const env of [
      {},
      { SUPABASE_URL: supabase.url },
      { SUPABASE_SERVICE_ROLE_KEY: 'k' },
      { SUPABASE_URL: 'not a url', SUPABASE_SERVICE_ROLE_KEY: 'k' },
    ]) {
      const target = await startNodeTarget(supabaseConfig(supabase.jwtSecret), env);
      try {
        for (const path of ['/auth/otp', '/auth/verify', '/auth/otp-alt']) {
          const response = await post(target, path, { email: 'ada@example.com', token: '1' });
          expect(response.status).toBe(500);
          expect(await response.json()).toEqual({
            error: 'Supabase environment is not configured.',
            code: 'SUPABASE_ENV_MISSING',
          });
        }
      } finally {
        await target.close();
      }
    }
    expect(supabase.requests).toHaveLength(0);
  });

  it('checks the body before the environment: {} is 400 missing_email_or_phone without SUPABASE_URL', async () => {
    const target = await startNodeTarget(supabaseConfig(supabase.jwtSecret), {});
    try {
      const otp = await post(target, '/auth/otp', {});
      expect(otp.status).toBe(400);
      expect(await otp.json()).toEqual({ error: 'Missing email or phone', code: 'missing_email_or_phone' });
      const verify = await post(target, '/auth/verify', { email: 'ada@example.com' });
      expect(verify.status).toBe(400);
      expect(await verify.json()).toMatchObject({ code: 'missing_token_or_contact' });
      const alt = await post(target, '/auth/otp-alt', {});
      expect(await alt.json()).toMatchObject({ code: 'missing_email' });
    } finally {
      await target.close();
    }
    expect(supabase.requests).toHaveLength(0);
  });

  it('Supabase down (connection refused) → 502 SUPABASE_NETWORK_ERROR', async () => {
    const port = await closedPort();
    const target = await startNodeTarget(supabaseConfig(supabase.jwtSecret), {
      SUPABASE_URL: `http://127.0.0.1:${port}`,
      SUPABASE_SERVICE_ROLE_KEY: 'service-role',
    });
    try {
      const response = await post(target, '/auth/otp', { email: 'ada@example.com' });
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({
        error: 'Supabase Auth request failed',
        code: 'SUPABASE_NETWORK_ERROR',
      });
    } finally {
      await target.close();
    }
  });
});

describe('configured the Serverless API Gateway way: the environment only, no supabase authorizer', () => {
  const sagConfig = {
    paths: [
      { method: 'POST', path: '/api/v1/supabase/auth', integration: { type: 'supabase_passwordless_auth' } },
      {
        method: 'POST',
        path: '/api/v1/supabase/verify',
        integration: { type: 'supabase_passwordless_verify' },
      },
      {
        method: 'POST',
        path: '/api/v1/supabase/auth-alt',
        integration: { type: 'supabase_passwordless_auth_alt' },
      },
    ],
  };

  it('sends and verifies an OTP with SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY', async () => {
    const target = await startNodeTarget(sagConfig, {
      SUPABASE_URL: supabase.url,
      SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
    });
    try {
      const email = 'grace@example.com';
      const sent = await post(target, '/api/v1/supabase/auth', { email });
      expect(sent.status).toBe(200);
      expect(await sent.json()).toEqual({ message: 'Email OTP sent successfully' });
      expect(supabase.requests[0]?.headers.apikey).toBe(supabase.serviceRoleKey);
      const verified = await post(target, '/api/v1/supabase/verify', {
        email,
        token: supabase.codeFor(email),
      });
      expect(verified.status).toBe(200);
      expect(await jsonOf(verified)).toMatchObject({ user: { email } });
      const empty = await post(target, '/api/v1/supabase/auth', {});
      expect(await empty.json()).toMatchObject({ code: 'missing_email_or_phone' });
    } finally {
      await target.close();
    }
  });

  it('without the environment: the body first, then 500 SUPABASE_ENV_MISSING', async () => {
    const target = await startNodeTarget(sagConfig, {});
    try {
      expect((await post(target, '/api/v1/supabase/auth', {})).status).toBe(400);
      const response = await post(target, '/api/v1/supabase/auth', { email: 'ada@example.com' });
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ code: 'SUPABASE_ENV_MISSING' });
    } finally {
      await target.close();
    }
  });
});
