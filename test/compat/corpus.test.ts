import { SignJWT } from 'jose';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfigSource } from '../../src/adapters/node/config-source.js';
import { compileFromSource } from '../../src/adapters/node/runtime.js';
import { startGatehouse, type RunningGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import { offlinePlatform } from '../../src/cli/offline-platform.js';
import { ConfigInvalidError, formatProblem } from '../../src/config/problems.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';

/**
 * The compatibility corpus (docs/COMPAT.md "The corpus"): configs we wrote in the Serverless API
 * Gateway's format, one per page of its documentation and per shape its examples use. Each is
 * validated (the exact warnings below, nothing else) and started on Node; a few requests per
 * config replay what SAG does with it. A config we refuse on purpose lists its errors and the
 * COMPAT.md row that says why.
 */
const CORPUS = fileURLToPath(new URL('./corpus/', import.meta.url));

interface Entry {
  readonly env?: Record<string, string>;
  readonly warnings: readonly string[];
  /** Refused on purpose: the problems, and the COMPAT.md row. */
  readonly refused?: { readonly errors: readonly string[]; readonly row: number };
  readonly probe?: (gateway: RunningGatehouse) => Promise<void>;
}

const JWT_SECRET = 'corpus-main-secret-7d1f0c2a9b8e4f6a1c3d5e7f9a0b2c4d6e8f';
const MAPPING_SECRET = 'corpus-mapping-secret-0123456789abcdef0123';
let upstream: RecordingUpstream;

async function token(secret: string, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ sub: 'alice', email: 'alice@example.net', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('corpus-issuer')
    .setAudience('corpus-audience')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));
}

const get = (gateway: RunningGatehouse, path: string, init?: RequestInit) =>
  fetch(`${gateway.url}${path}`, { ...init, signal: AbortSignal.timeout(5_000) });

/** Service bindings the corpus configs name, provided on Node as --binding modules would be. */
const BINDINGS = {
  ACCOUNTS_SERVICE: { fetch: () => ({ account: 'acc-1' }) },
  GUARD_SERVICE: {
    check: (request: Request) =>
      request.headers.get('x-pass') === 'yes' || new Response('stopped', { status: 403 }),
  },
};

const EXPECTED: Record<string, Entry> = {
  'gateway-main.json': {
    env: { CORPUS_UPSTREAM: 'http://127.0.0.1:1' },
    warnings: [
      'warning: /paths/7/integration/type: deprecated type "http": use "http_proxy"',
      'warning: /cors/allow_headers/0: "*" is not a wildcard for credentialed requests; browsers read it literally',
      'warning: /cors/expose_headers/0: "*" is not a wildcard for credentialed requests; browsers read it literally',
      // `validate` cannot know the runtime's bindings; `start` gets them (BINDINGS below).
      'warning: /serviceBindings/0/binding: binding "ACCOUNTS_SERVICE" is not provided (Node: start with --binding ACCOUNTS_SERVICE=PATH; Workers: declare the service binding in the wrangler config)',
    ],
    probe: async (gateway) => {
      expect(await (await get(gateway, '/api/v1/health/string')).text()).toBe('"String OK"');
      expect(await (await get(gateway, '/api/v1/method')).json()).toEqual({ status: 'GET method' });
      expect(await (await get(gateway, '/api/v1/method', { method: 'POST' })).json()).toEqual({
        status: 'POST method',
      });
      expect(await (await get(gateway, '/api/v1/method', { method: 'PUT' })).json()).toEqual({
        status: 'ANY method',
      });
      expect(await (await get(gateway, '/api/v1/hello')).text()).toBe('hello from /api/v1/hello');
      expect(await (await get(gateway, '/api/v1/account')).json()).toEqual({
        status: 'success',
        message: 'Operation completed successfully.',
        data: { account: 'acc-1' },
      });
      const refused = await get(gateway, '/api/v1/auth');
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ code: 'AUTH_ERROR' });
      const bearer = { authorization: `Bearer ${await token(JWT_SECRET)}` };
      expect(await (await get(gateway, '/api/v1/auth', { headers: bearer })).json()).toEqual({
        status: 'authenticated GET',
      });
      upstream.reset();
      const mapped = await get(gateway, '/api/v1/mapping?userId=u1', {
        headers: { ...bearer, 'x-client-tag': 'tag-1' },
      });
      expect(mapped.status).toBe(200);
      const sent = upstream.requests[0];
      // A dotted `$config` key is one flat variable name, as SAG reads it.
      expect(sent?.headers['x-config-dotted']).toBe('dotted value');
      expect(sent?.headers['x-config-db-url']).toBe('postgres://db.example.net/corpus');
      expect(sent?.headers['x-region']).toBe('corpus-route');
      expect(sent?.headers['x-query-userid']).toBe('u1');
      expect(sent?.headers['x-from-header']).toBe('tag-1');
      expect(sent?.headers['x-jwt-sub']).toBe('alice');
      expect(sent?.headers['x-jwt-aud']).toBe('corpus-audience');
      const query = new URL(sent?.url ?? '', 'http://x').searchParams;
      expect(query.get('jwt-sub')).toBe('alice');
      expect(query.get('config-api-key')).toBe('corpus-api-key');
    },
  },
  'minimal.json': {
    warnings: [],
    probe: async (gateway) => {
      expect(await (await get(gateway, '/health')).json()).toEqual({ status: 'ok' });
      expect((await get(gateway, '/nothing')).status).toBe(404);
    },
  },
  // Its documentation's placeholder secret is 17 bytes: refused (RFC 7518 §3.2), and accepted with
  // a warning once the authorizer says `allow_weak_secret: true` (the same config, migrating).
  'authorizer-page.json': {
    warnings: [],
    refused: {
      errors: [
        '/authorizer/secret: HMAC secret is 17 bytes; HS256 needs at least 32 random bytes (RFC 7518 §3.2); set "allow_weak_secret": true to accept it while migrating',
      ],
      row: 39,
    },
  },
  'authorizer-page-migrating.json': {
    warnings: [
      'warning: /authorizer/secret: HMAC secret is 17 bytes; HS256 needs at least 32 random bytes (RFC 7518 §3.2)',
    ],
    probe: async (gateway) => {
      const forged = await get(gateway, '/api/v1/auth', {
        headers: { authorization: `Bearer ${await token('x'.repeat(32))}` },
      });
      expect(forged.status).toBe(401);
      expect(await forged.json()).toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    },
  },
  'auth0-page.json': {
    warnings: ['warning: /authorizer/jwks_uri: ignored: "jwks" is set and is used (set only one)'],
    probe: async (gateway) => {
      expect((await get(gateway, '/api/v1/protected')).status).toBe(401);
      const login = await get(gateway, '/api/v1/auth0/login', { redirect: 'manual' });
      expect(login.status).toBe(302);
      expect(login.headers.get('location')).toMatch(/^https:\/\/corpus-tenant\.eu\.auth0\.com\/authorize\?/);
    },
  },
  'auth0-env.json': {
    env: {
      AUTH0_DOMAIN: 'corpus-tenant.us.auth0.com',
      AUTH0_CLIENT_ID: 'corpus-client-id',
      AUTH0_CLIENT_SECRET: 'corpus-client-secret',
    },
    warnings: [],
    probe: async (gateway) => {
      expect((await get(gateway, '/api/v1/me')).status).toBe(401);
    },
  },
  'auth0-refresh-placeholder-keys.json': {
    warnings: ['warning: /authorizer/jwks: jwks has no keys: no token could ever verify'],
    probe: async (gateway) => {
      const missing = await get(gateway, '/api/v1/auth0/refresh', { method: 'POST' });
      expect(missing.status).toBe(400);
      expect(await missing.json()).toMatchObject({ code: 'missing_refresh_token' });
    },
  },
  'supabase-page.json': {
    env: { SUPABASE_JWT_SECRET: 'corpus-supabase-jwt-secret-0123456789abcdef' },
    warnings: [
      'warning: /cors/allow_headers/0: "*" is not a wildcard for credentialed requests; browsers read it literally',
      'warning: /cors/expose_headers/0: "*" is not a wildcard for credentialed requests; browsers read it literally',
      'warning: /paths: the Supabase flows answer 500 SUPABASE_ENV_MISSING: SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY not set (set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY)',
    ],
    probe: async (gateway) => {
      const empty = await get(gateway, '/api/v1/supabase/auth', { method: 'POST', body: '{}' });
      expect(empty.status).toBe(400);
      expect(await empty.json()).toEqual({ error: 'Missing email or phone', code: 'missing_email_or_phone' });
    },
  },
  'supabase-env-only.json': {
    warnings: [
      'warning: /paths: the Supabase flows answer 500 SUPABASE_ENV_MISSING: SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY not set (set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY)',
    ],
    probe: async (gateway) => {
      const empty = await get(gateway, '/api/auth/otp', { method: 'POST', body: '{}' });
      expect(await empty.json()).toMatchObject({ code: 'missing_email_or_phone' });
      const env = await get(gateway, '/api/auth/otp', { method: 'POST', body: '{"email":"a@example.net"}' });
      expect(env.status).toBe(500);
      expect(await env.json()).toMatchObject({ code: 'SUPABASE_ENV_MISSING' });
    },
  },
  'cors-page.json': {
    warnings: [],
    probe: async (gateway) => {
      const allowed = await get(gateway, '/api/v1/cors', {
        headers: { origin: 'https://corpus-one.example.net' },
      });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://corpus-one.example.net');
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    },
  },
  'cors-wildcard-credentials.json': {
    warnings: [],
    refused: {
      errors: [
        '/cors/allow_credentials: allow_credentials cannot be true when allow_origins contains "*": any website could make credentialed requests and read the answers; list the allowed origins instead',
      ],
      row: 8,
    },
  },
  'servers-page.json': {
    env: { CORPUS_UPSTREAM_PREFIXED: 'http://127.0.0.1:1/api' },
    warnings: ['warning: /paths/1/integration/type: deprecated type "http": use "http_proxy"'],
  },
  'service-binding-page.json': {
    warnings: [
      'warning: /servicesBindings: deprecated spelling: merged into "serviceBindings"',
      'warning: /serviceBindings/0/binding: binding "ACCOUNTS_SERVICE" is not provided (Node: start with --binding ACCOUNTS_SERVICE=PATH; Workers: declare the service binding in the wrangler config)',
      'warning: /serviceBindings/1/binding: binding "GUARD_SERVICE" is not provided (Node: start with --binding GUARD_SERVICE=PATH; Workers: declare the service binding in the wrangler config)',
    ],
    probe: async (gateway) => {
      expect(await (await get(gateway, '/api/v1/endpoint')).text()).toBe('hello from /api/v1/endpoint');
      expect((await get(gateway, '/api/v1/guarded')).status).toBe(403);
      expect(await (await get(gateway, '/api/v1/guarded', { headers: { 'x-pass': 'yes' } })).text()).toBe(
        'hello from /api/v1/guarded',
      );
    },
  },
  'mapping-page.json': {
    env: {
      CORPUS_UPSTREAM: 'set at run time',
      CORPUS_JWT_SECRET: MAPPING_SECRET,
      CORPUS_API_TOKEN: 'corpus-api-token',
    },
    warnings: [],
    probe: async (gateway) => {
      upstream.reset();
      const response = await get(gateway, '/api/v1/special-endpoint?ref=r1', {
        headers: { authorization: `Bearer ${await token(MAPPING_SECRET)}`, 'user-agent': 'corpus-agent' },
      });
      expect(response.status).toBe(200);
      const sent = upstream.requests[0];
      expect(sent?.headers['x-database-url']).toBe('sqlite://special-db.sqlite');
      expect(sent?.headers['x-global']).toBe('global_value');
      expect(sent?.headers['x-user']).toBe('alice');
      expect(sent?.headers['x-api-token']).toBe('corpus-api-token');
      expect(sent?.headers['x-agent']).toBe('corpus-agent');
      expect(new URL(sent?.url ?? '', 'http://x').searchParams.get('user')).toBe('alice');
      expect(new URL(sent?.url ?? '', 'http://x').searchParams.get('ref')).toBe('r1');
    },
  },
  'routing-page.json': {
    warnings: [
      'warning: /paths/0/description: unknown key "description"; ignored',
      'warning: /paths/2/integration/note: unknown key "note"; ignored',
    ],
    probe: async (gateway) => {
      expect(await (await get(gateway, '/users/7')).json()).toEqual({ status: 'user' });
      expect(await (await get(gateway, '/anything', { method: 'DELETE' })).json()).toEqual({ status: 'any' });
    },
  },
};

function sourceOf(file: string) {
  return resolveConfigSource(join(CORPUS, file), {});
}

function envOf(entry: Entry): Record<string, string> {
  const env = { ...entry.env };
  // Configs proxying to CORPUS_UPSTREAM reach the recording upstream in the tests that probe them.
  if (env.CORPUS_UPSTREAM !== undefined && upstream) env.CORPUS_UPSTREAM = upstream.url;
  return env;
}

beforeAll(async () => {
  upstream = await startRecordingUpstream();
});
afterAll(async () => {
  await upstream.close();
});

describe('the compatibility corpus', () => {
  it('lists every config of test/compat/corpus', () => {
    const files = readdirSync(CORPUS).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(Object.entries(EXPECTED))('%s', (file, entry) => {
    it(
      entry.refused
        ? `is refused (COMPAT.md row ${entry.refused.row})`
        : 'validates with exactly the expected warnings',
      async () => {
        const env = envOf(entry);
        try {
          const compiled = await compileFromSource(sourceOf(file), offlinePlatform(env), false);
          expect(entry.refused).toBeUndefined();
          expect(compiled.warnings.map(formatProblem)).toEqual(entry.warnings);
        } catch (error) {
          if (!(error instanceof ConfigInvalidError) || !entry.refused) throw error;
          expect(error.problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual(
            entry.refused.errors,
          );
        }
      },
    );

    // A config refused on purpose cannot start; its refusal is the test above.
    it.runIf(entry.refused === undefined)(
      'starts on Node and answers as SAG does',
      { timeout: 15_000 },
      async () => {
        const gateway = await startGatehouse({
          source: sourceOf(file),
          env: envOf(entry),
          port: 0,
          bindings: BINDINGS,
        });
        try {
          await entry.probe?.(gateway);
        } finally {
          await gateway.close(100);
        }
      },
    );
  });
});
