import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { createJsonLogger } from '../../src/observability/logger.js';
import type { OidcProvider } from '../fixtures/oidc-provider.js';
import { auth0Config, CLIENT_ID, CLIENT_SECRET, COOKIE, PUBLIC, startAuth0Provider } from './auth0-setup.js';
import { Browser, jsonOf } from './browser.js';

/**
 * `post_process` on auth0_callback (called with the verified claims, result ignored, failure
 * logged) and docs/SECURITY.md "Secrets": after whole logins, refreshes and userinfo calls, no log
 * line holds a code, a token, the client secret, the PKCE verifier or the transaction cookie.
 * Assembled with startGatehouse (what `gatehouse start` and startNodeTarget use) to pass an
 * in-process binding and a capturing logger.
 */
interface HookCall {
  readonly method: string;
  readonly env: unknown;
  readonly context: { route: { path: string }; claims: Record<string, unknown> | null; requestId: string };
}

let provider: OidcProvider;
let gateway: RunningGatehouse;
const hookCalls: HookCall[] = [];
const logLines: string[] = [];
let hookFails = false;

beforeAll(async () => {
  provider = await startAuth0Provider();
  const config = auth0Config(provider.url);
  const callback = config.paths.find((p) => p.integration?.type === 'auth0_callback');
  if (!callback?.integration) throw new Error('config has no callback route');
  Object.assign(callback.integration, { post_process: { binding: 'hooks', function: 'onLogin' } });
  gateway = await startGatehouse({
    source: inlineConfigSource({ ...config, serviceBindings: [{ alias: 'hooks', binding: 'HOOKS' }] }),
    env: {},
    port: 0,
    logger: createJsonLogger('debug', (line) => logLines.push(line)),
    bindings: {
      HOOKS: {
        onLogin(request: Request, env: unknown, context: HookCall['context']) {
          hookCalls.push({ method: request.method, env, context });
          if (hookFails) throw new Error('crm unavailable');
          return { ignored: true };
        },
      },
    },
  });
});

afterAll(async () => {
  await gateway?.close(1000);
  await provider?.close();
});

async function login(): Promise<{ tokens: Record<string, unknown>; code: string; cookie: string }> {
  const browser = new Browser({ [PUBLIC]: gateway.url });
  const start = await browser.get(`${PUBLIC}/auth/login`);
  const cookie = browser.cookiesFor(PUBLIC).get(COOKIE) ?? '';
  const atProvider = await browser.get(start.headers.get('location') ?? '');
  const callbackUrl = new URL(atProvider.headers.get('location') ?? '');
  const callback = await browser.get(callbackUrl.href);
  expect(callback.status).toBe(200);
  return { tokens: await jsonOf(callback), code: callbackUrl.searchParams.get('code') ?? '', cookie };
}

describe('post_process', () => {
  it('is called once after a successful login with the verified ID-token claims', async () => {
    hookCalls.length = 0;
    await login();
    expect(hookCalls).toHaveLength(1);
    const [call] = hookCalls;
    expect(call?.method).toBe('GET');
    expect(call?.context.route.path).toBe('/auth/callback');
    expect(call?.context.claims).toMatchObject({
      sub: provider.user.sub,
      aud: CLIENT_ID,
      iss: provider.issuer,
      email: provider.user.email,
    });
    // Least privilege: no secret reaches the hook.
    expect(JSON.stringify(call)).not.toContain(CLIENT_SECRET);
  });

  it('a failing hook is logged and does not fail the login', async () => {
    hookFails = true;
    try {
      hookCalls.length = 0;
      const { tokens } = await login();
      expect(typeof tokens.access_token).toBe('string');
      expect(hookCalls).toHaveLength(1);
      expect(
        logLines.some(
          (line) => line.includes('post_process hook failed') && line.includes('crm unavailable'),
        ),
      ).toBe(true);
    } finally {
      hookFails = false;
    }
  });

  it('is not called when the login fails', async () => {
    hookCalls.length = 0;
    const browser = new Browser({ [PUBLIC]: gateway.url });
    const start = await browser.get(`${PUBLIC}/auth/login`);
    const callbackUrl =
      (await browser.get(start.headers.get('location') ?? '')).headers.get('location') ?? '';
    provider.setMode({ kind: 'fail', status: 403, body: JSON.stringify({ error: 'invalid_grant' }) });
    try {
      const response = await browser.get(callbackUrl);
      expect(response.status).toBe(403);
    } finally {
      provider.setMode({ kind: 'normal' });
    }
    expect(hookCalls).toHaveLength(0);
  });
});

describe('logs never carry secrets', () => {
  it('no code, token, client secret, verifier or cookie in any log line', async () => {
    logLines.length = 0;
    const { tokens, code, cookie } = await login();
    const verifier = provider.requestsTo('/oauth/token').at(-1)?.form.code_verifier ?? '';
    const refreshed = await fetch(`${gateway.url}/auth/refresh`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await provider.accessToken(-60)}`,
        'x-refresh-token': String(tokens.refresh_token),
      },
    });
    expect(refreshed.status).toBe(200);
    const userinfo = await fetch(`${gateway.url}/auth/userinfo`, {
      headers: { 'x-access-token': String(tokens.access_token) },
    });
    expect(userinfo.status).toBe(200);
    // An error path logs details too.
    provider.setMode({ kind: 'fail', status: 400, body: JSON.stringify({ error: 'invalid_grant' }) });
    try {
      await fetch(`${gateway.url}/auth/refresh`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await provider.accessToken(-60)}`,
          'x-refresh-token': String(tokens.refresh_token),
        },
      });
    } finally {
      provider.setMode({ kind: 'normal' });
    }

    const log = logLines.join('\n');
    expect(logLines.length).toBeGreaterThanOrEqual(5);
    expect(log).toContain('code=REDACTED');
    expect(log).toContain('invalid_grant');
    for (const secret of [
      code,
      cookie,
      verifier,
      CLIENT_SECRET,
      tokens.access_token,
      tokens.refresh_token,
      tokens.id_token,
    ]) {
      expect(typeof secret === 'string' && secret.length > 8).toBe(true);
      expect(log).not.toContain(secret);
    }
  });
});

describe('flow refusals in the access log', () => {
  it('a refused refresh body (413) and a missing refresh token (400) log their catalogue codes', async () => {
    logLines.length = 0;
    const bearer = `Bearer ${await provider.accessToken(-60)}`;
    const tooLarge = await fetch(`${gateway.url}/auth/refresh`, {
      method: 'POST',
      headers: { authorization: bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: 'r'.repeat(64 * 1024) }),
    });
    expect(tooLarge.status).toBe(413);
    const missing = await fetch(`${gateway.url}/auth/refresh`, {
      method: 'POST',
      headers: { authorization: bearer },
    });
    expect(missing.status).toBe(400);
    const requests = logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.msg === 'request' && entry.path === '/auth/refresh');
    expect(requests.map((entry) => [entry.status, entry.code])).toEqual([
      [413, 'ERR_PAYLOAD_TOO_LARGE'],
      [400, 'missing_refresh_token'],
    ]);
  });
});
