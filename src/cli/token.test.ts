import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authTestPlatform,
  claimsAt,
  createKeyPair,
  hmacKey,
  randomSecret,
  signToken,
} from '../../test/fixtures/keys.js';
import { resolveConfigSource } from '../adapters/node/config-source.js';
import { compileFromSource } from '../adapters/node/runtime.js';
import { offlinePlatform } from './offline-platform.js';
import { runTokenCommand } from './token.js';

/** `gatehouse token mint` / `token check`, run in-process against a temp config file. */

const SECRET = randomSecret();
const PARTNER_SECRET = randomSecret();
let dir: string;
let configPath: string;

const rsa = await createKeyPair('RS256');
const CONFIG = {
  authorizer: { type: 'jwt', secret: SECRET, issuer: 'https://issuer.example/', audience: 'api://orders' },
  authorizers: {
    partner: { type: 'jwt', secret: PARTNER_SECRET },
    idp: { type: 'jwt', algorithms: ['RS256'], public_key: rsa.publicPem },
    users: { type: 'supabase', jwt_secret: SECRET },
  },
  paths: [
    { method: 'GET', path: '/public', response: { ok: true } },
    { method: 'GET', path: '/orders/{id}', auth: true, scopes: ['read:orders'] },
    { method: 'GET', path: '/orders/new', auth: true },
    { method: 'POST', path: '/partner/{.+}', auth: 'partner' },
  ],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-token-'));
  configPath = join(dir, 'api-config.json');
  await writeFile(configPath, JSON.stringify(CONFIG));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const platform = authTestPlatform();
  const code = await runTokenCommand(argv, {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    // The command's own loader, on a platform whose clock the test fixes.
    loadGateway: (path) =>
      compileFromSource(resolveConfigSource(path, {}), { ...offlinePlatform({}), now: platform.now }, false),
    platform,
  });
  return { code, stdout: out.join(''), stderr: err.join(''), now: platform.time };
}

describe('token mint', () => {
  it('prints only the token and a newline; the token carries iss, aud, sub, iat and exp (1 h)', async () => {
    const { code, stdout, stderr, now } = await run('mint', '--config', configPath, '--sub', 'alice');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    const { payload, protectedHeader } = await jwtVerify(stdout.trim(), new TextEncoder().encode(SECRET), {
      currentDate: new Date(now),
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    const iat = Math.floor(now / 1000);
    expect(payload).toEqual({
      iss: 'https://issuer.example/',
      aud: 'api://orders',
      sub: 'alice',
      iat,
      exp: iat + 3600,
    });
  });

  it('merges --claims and honours --expires-in and --authorizer', async () => {
    const { code, stdout, now } = await run(
      'mint',
      '--config',
      configPath,
      '--authorizer',
      'partner',
      '--claims',
      '{"role":"admin","scope":"read:orders"}',
      '--expires-in',
      '15m',
    );
    expect(code).toBe(0);
    const { payload } = await jwtVerify(stdout.trim(), new TextEncoder().encode(PARTNER_SECRET), {
      currentDate: new Date(now),
    });
    expect(payload).toMatchObject({ role: 'admin', scope: 'read:orders', exp: Math.floor(now / 1000) + 900 });
  });

  it('refuses an authorizer that does not use an HMAC secret (exit 2, nothing on stdout)', async () => {
    const { code, stdout, stderr } = await run('mint', '--config', configPath, '--authorizer', 'idp');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('does not verify with an HMAC secret (algorithms: RS256)');
  });

  it('requires --sub for supabase user tokens', async () => {
    const { code, stderr } = await run('mint', '--config', configPath, '--authorizer', 'users');
    expect(code).toBe(2);
    expect(stderr).toContain('--sub');
  });

  it('usage errors exit 2: bad --claims, bad --expires-in, unknown option, unknown authorizer', async () => {
    for (const args of [
      ['--claims', '[1]'],
      ['--claims', '{'],
      ['--expires-in', 'soon'],
      ['--bogus'],
      ['--authorizer', 'nobody'],
    ]) {
      const { code, stdout } = await run('mint', '--config', configPath, ...args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
    }
  });

  it('an already expired token is still printed, with a warning on stderr', async () => {
    const { code, stdout, stderr } = await run('mint', '--config', configPath, '--expires-in=-5m');
    expect(code).toBe(0);
    expect(stdout.trim().split('.')).toHaveLength(3);
    expect(stderr).toContain('would refuse this token (ERR_JWT_EXPIRED)');
  });

  it('a missing config file exits 2', async () => {
    const { code, stderr } = await run('mint', '--config', join(dir, 'missing.json'));
    expect(code).toBe(2);
    expect(stderr).toContain('missing.json');
  });
});

describe('token check', () => {
  it('accepts a minted token: exit 0, every check PASS, verdict ACCEPTED', async () => {
    const minted = (await run('mint', '--config', configPath)).stdout.trim();
    const { code, stdout } = await run('check', '--config', configPath, '--token', minted);
    expect(code).toBe(0);
    expect(stdout).toContain('token check against authorizer "default" (jwt)');
    expect(stdout).toContain('verdict: ACCEPTED');
    expect(stdout).not.toContain('FAIL');
    expect(stdout).not.toContain(minted);
  });

  it('explains a rejection check by check, with the likely fix: exit 1', async () => {
    const now = authTestPlatform().time;
    const token = await signToken(
      hmacKey(SECRET),
      claimsAt(now, { iss: 'https://issuer.example', aud: 'api://orders' }),
    );
    const { code, stdout } = await run('check', '--config', configPath, '--token', token);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /FAIL\s+iss\s+iss expected "https:\/\/issuer.example\/" got "https:\/\/issuer.example" \(trailing slash\)/,
    );
    expect(stdout).toContain('verdict: REJECTED with 401 ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(stdout).toContain('likely fix: issuers are compared exactly');
    expect(stdout).not.toContain(token);
  });

  it('with --route, uses the route authorizer and its scopes (403 when a scope is missing)', async () => {
    const minted = (await run('mint', '--config', configPath)).stdout.trim();
    const denied = await run('check', '--config', configPath, '--token', minted, '--route', 'GET /orders/42');
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain('for route GET /orders/{id}');
    expect(denied.stdout).toMatch(/FAIL\s+scope\s+missing scope read:orders/);
    expect(denied.stdout).toContain('verdict: REJECTED with 403 ERR_INSUFFICIENT_SCOPE');

    const scoped = (
      await run('mint', '--config', configPath, '--claims', '{"scope":"read:orders"}')
    ).stdout.trim();
    const allowed = await run(
      'check',
      '--config',
      configPath,
      '--token',
      scoped,
      '--route',
      'GET /orders/{id}',
    );
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/PASS\s+scope/);

    const literal = await run(
      'check',
      '--config',
      configPath,
      '--token',
      minted,
      '--route',
      'GET /orders/new',
    );
    expect(literal.stdout).toContain('for route GET /orders/new');
    expect(literal.code).toBe(0);
  });

  it('with --route naming a named authorizer, a token for the default one fails its signature', async () => {
    const minted = (await run('mint', '--config', configPath)).stdout.trim();
    const { code, stdout } = await run(
      'check',
      '--config',
      configPath,
      '--token',
      minted,
      '--route',
      'POST /partner/a/b',
    );
    expect(code).toBe(1);
    expect(stdout).toContain('authorizer "partner" (jwt) for route POST /partner/{.+}');
    expect(stdout).toContain('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    expect(stdout).toContain("likely fix: check that the token was signed with this authorizer's secret");
  });

  it('a public route accepts anything', async () => {
    const { code, stdout } = await run(
      'check',
      '--config',
      configPath,
      '--token',
      'x',
      '--route',
      'GET /public',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('has no "auth"');
  });

  it('accepts a pasted "Bearer <token>" value', async () => {
    const minted = (await run('mint', '--config', configPath)).stdout.trim();
    expect((await run('check', '--config', configPath, '--token', `Bearer ${minted}`)).code).toBe(0);
  });

  it('a malformed token is rejected at the format check', async () => {
    const { code, stdout } = await run('check', '--config', configPath, '--token', 'abc.def');
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL\s+format/);
    expect(stdout).toContain('ERR_JWS_INVALID');
  });

  it('public-key authorizers are checked too (RS256 token from the identity provider)', async () => {
    const token = await signToken(rsa, claimsAt(authTestPlatform().time));
    const { code, stdout } = await run(
      'check',
      '--config',
      configPath,
      '--token',
      token,
      '--authorizer',
      'idp',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('verified with the configured public_key');
  });

  it('usage errors exit 2: no --token, unknown route, bad route syntax, unknown subcommand', async () => {
    expect((await run('check', '--config', configPath)).code).toBe(2);
    expect(
      (await run('check', '--config', configPath, '--token', 'a.b.c', '--route', 'GET /nowhere')).code,
    ).toBe(2);
    expect((await run('check', '--config', configPath, '--token', 'a.b.c', '--route', '/orders')).code).toBe(
      2,
    );
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run()).code).toBe(2);
  });

  it('an invalid authorizer config is reported with its JSON pointer (exit 2)', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({ authorizer: { type: 'jwt', secret: SECRET, algorithm: 'none' }, paths: [] }),
    );
    const { code, stderr } = await run('check', '--config', bad, '--token', 'a.b.c');
    expect(code).toBe(2);
    expect(stderr).toContain('/authorizer/algorithm: "none": unsigned tokens are never accepted');
  });
});
