import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { ConfigInvalidError, formatProblem } from '../config/problems.js';

/**
 * Configs the Serverless API Gateway accepts load here too, each difference a warning that says
 * what happens (docs/COMPAT.md "Configs it accepts"); typos that weaken security stay errors.
 */
function problemsOf(
  config: unknown,
  env: Record<string, string> = {},
): { errors: string[]; warnings: string[] } {
  try {
    const loaded = loadConfig(config, { env });
    return { errors: [], warnings: loaded.warnings.map(formatProblem) };
  } catch (error) {
    if (!(error instanceof ConfigInvalidError)) throw error;
    return {
      errors: error.problems.filter((p) => p.severity === 'error').map(formatProblem),
      warnings: error.problems.filter((p) => p.severity === 'warning').map(formatProblem),
    };
  }
}

const SECRET = 'a-secret-that-is-long-enough-for-hs256-0123';
const JWKS = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k1', n: 'abc', e: 'AQAB' }] });

describe('jwks and jwks_uri together (the Auth0 docs page sets both)', () => {
  it('an auth0 authorizer is accepted, jwks is used and jwks_uri is reported as ignored', () => {
    const result = problemsOf({
      authorizer: {
        type: 'auth0',
        domain: 'tenant.auth0.com',
        client_id: 'c',
        client_secret: 's',
        redirect_uri: 'https://api.example.com/cb',
        jwks: JWKS,
        jwks_uri: 'https://tenant.auth0.com/.well-known/jwks.json',
        scope: 'openid profile email',
      },
      paths: [{ method: 'GET', path: '/me', auth: true, response: {} }],
    });
    expect(result).toEqual({
      errors: [],
      warnings: ['warning: /authorizer/jwks_uri: ignored: "jwks" is set and is used (set only one)'],
    });
  });

  it('a jwt authorizer likewise; public_key with either stays an error', () => {
    const both = problemsOf({
      authorizer: { type: 'jwt', algorithms: ['RS256'], jwks: JWKS, jwks_uri: 'https://idp.example/k' },
      paths: [],
    });
    expect(both.errors).toEqual([]);
    expect(both.warnings).toEqual([
      'warning: /authorizer/jwks_uri: ignored: "jwks" is set and is used (set only one)',
    ]);
  });
});

describe('unknown keys', () => {
  it('on routes and integrations are warnings with a did-you-mean, as SAG allows extra properties', () => {
    const result = problemsOf({
      servers: [{ alias: 'up', url: 'https://up.example.com', note: 'staging' }],
      paths: [
        {
          method: 'GET',
          path: '/a',
          description: 'the list',
          integration: { type: 'http_proxy', server: 'up', sever: 'x' },
        },
        { method: 'GET', path: '/b', respons: { a: 1 } },
      ],
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      'warning: /servers/0/note: unknown key "note"; ignored',
      'warning: /paths/0/description: unknown key "description"; ignored',
      'warning: /paths/0/integration/sever: unknown key "sever" (did you mean "server"?); ignored',
      'warning: /paths/1/respons: unknown key "respons" (did you mean "response"?); ignored',
    ]);
  });

  it('stay errors on authorizers and cors, and for a route key that looks like auth', () => {
    const result = problemsOf({
      authorizer: { type: 'jwt', secret: SECRET, audiance: 'api' },
      cors: { allow_origins: ['https://app.example.com'], allow_credential: true },
      paths: [{ method: 'GET', path: '/a', auht: true, response: {} }],
    });
    expect(result.errors).toEqual([
      '/cors/allow_credential: unknown key "allow_credential" (did you mean "allow_credentials"?)',
      '/authorizer/audiance: unknown key "audiance" (did you mean "audience"?)',
      '/paths/0/auht: unknown key "auht" (did you mean "auth"?)',
    ]);
  });
});

describe('"auth": null', () => {
  it('means false: the route is served without a token', () => {
    const loaded = loadConfig(
      {
        authorizer: { type: 'jwt', secret: SECRET },
        paths: [{ method: 'GET', path: '/a', auth: null, response: {} }],
      },
      { env: {} },
    );
    expect(loaded.config.paths[0]?.auth).toBe(false);
    expect(loaded.warnings).toEqual([]);
  });
});

describe('an empty inline key set', () => {
  const config = (auth: boolean) => ({
    authorizer: {
      type: 'auth0',
      domain: 'tenant.auth0.com',
      client_id: 'c',
      client_secret: 's',
      jwks: '{"keys":[]}',
    },
    paths: [
      { method: 'POST', path: '/refresh', integration: { type: 'auth0_refresh' } },
      { method: 'GET', path: '/me', auth, response: {} },
    ],
  });

  it('is a warning when no route verifies tokens with it', () => {
    expect(problemsOf(config(false))).toEqual({
      errors: [],
      warnings: ['warning: /authorizer/jwks: jwks has no keys: no token could ever verify'],
    });
  });

  it('is an error when a route does', () => {
    expect(problemsOf(config(true)).errors).toEqual([
      '/authorizer/jwks: jwks has no keys: no token could ever verify, and a route verifies tokens with it',
    ]);
  });
});

describe('an unresolved reference', () => {
  it('is reported once, without problems about the placeholder text', () => {
    const result = problemsOf({
      authorizer: { type: 'jwt', secret: '$env.JWT_SECRET' },
      paths: [{ method: 'GET', path: '/a', auth: true, response: {} }],
    });
    expect(result).toEqual({
      errors: ['/authorizer/secret: references $env.JWT_SECRET but the variable JWT_SECRET is not set'],
      warnings: [],
    });
  });
});

describe('path styles of other routers', () => {
  it('/users/:id and /files/* are valid literal paths with a hint toward {id} and {.+}', () => {
    expect(
      problemsOf({
        paths: [
          { method: 'GET', path: '/users/:id', response: {} },
          { method: 'GET', path: '/files/*', response: {} },
        ],
      }),
    ).toEqual({
      errors: [],
      warnings: [
        'warning: /paths/0/path: ":id" is a literal segment here; for a path parameter write "{id}"',
        'warning: /paths/1/path: "*" is a literal segment here; for a wildcard (the rest of the path) write "{.+}"',
      ],
    });
  });
});
