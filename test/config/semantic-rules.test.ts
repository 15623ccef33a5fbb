import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/assembly/load-config.js';
import { ConfigInvalidError, type ConfigProblem } from '../../src/config/problems.js';
import { randomSecret } from '../fixtures/keys.js';

/**
 * docs/CONFIG.md "Semantic rules", one row each: a config, and the problem it must produce
 * (JSON pointer, severity, words of the message). Rows run through the loader every command
 * uses (schema, references, legacy spellings, the checks of src/assembly/check-config.ts).
 */
const SECRET = randomSecret();
const UP = { alias: 'up', url: 'http://127.0.0.1:9' };
const proxy = (extra: object = {}) => ({
  method: 'GET',
  path: '/p',
  integration: { type: 'http_proxy', server: 'up' },
  ...extra,
});

function problemsOf(config: object, env: Record<string, string> = {}, strict = false): ConfigProblem[] {
  try {
    return [...loadConfig(config, { env, strict }).warnings];
  } catch (error) {
    if (error instanceof ConfigInvalidError) return [...error.problems];
    throw error;
  }
}

interface Row {
  readonly rule: string;
  readonly config: object;
  readonly env?: Record<string, string>;
  readonly strict?: boolean;
  readonly pointer: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

const ROWS: readonly Row[] = [
  {
    rule: 'auth: true without a top-level authorizer',
    config: { paths: [{ method: 'GET', path: '/a', auth: true }] },
    pointer: '/paths/0/auth',
    severity: 'error',
    message: 'no top-level "authorizer"',
  },
  {
    rule: 'auth: "NAME" with no authorizers[NAME]',
    config: {
      authorizers: { partner: { type: 'jwt', secret: SECRET } },
      paths: [{ method: 'GET', path: '/a', auth: 'nobody' }],
    },
    pointer: '/paths/0/auth',
    severity: 'error',
    message: 'no authorizer named "nobody"',
  },
  {
    rule: 'scopes without auth',
    config: { paths: [{ method: 'GET', path: '/a', scopes: ['read'] }] },
    pointer: '/paths/0/scopes',
    severity: 'error',
    message: 'scopes need "auth"',
  },
  {
    rule: 'integration.server naming no alias',
    config: { servers: [UP], paths: [proxy({ integration: { type: 'http_proxy', server: 'down' } })] },
    pointer: '/paths/0/integration/server',
    severity: 'error',
    message: 'no servers entry has alias "down"',
  },
  {
    rule: 'integration.binding naming no service',
    config: { paths: [{ method: 'GET', path: '/s', integration: { type: 'service', binding: 'nope' } }] },
    pointer: '/paths/0/integration/binding',
    severity: 'error',
    message: 'no services entry has alias "nope"',
  },
  {
    rule: 'pre_process.binding naming no serviceBindings entry',
    config: { servers: [UP], paths: [proxy({ pre_process: { binding: 'hooks', function: 'check' } })] },
    pointer: '/paths/0/pre_process/binding',
    severity: 'error',
    message: 'no serviceBindings entry has alias "hooks"',
  },
  {
    rule: 'integration.post_process.binding naming no serviceBindings entry',
    config: {
      authorizer: {
        type: 'auth0',
        domain: 'tenant.example',
        client_id: 'c',
        client_secret: SECRET,
        redirect_uri: 'https://gw.example/callback',
      },
      paths: [
        {
          method: 'GET',
          path: '/callback',
          integration: { type: 'auth0_callback', post_process: { binding: 'nope', function: 'f' } },
        },
      ],
    },
    pointer: '/paths/0/integration/post_process/binding',
    severity: 'error',
    message: 'no serviceBindings entry has alias "nope"',
  },
  {
    rule: 'duplicate aliases',
    config: { servers: [UP, UP], paths: [] },
    pointer: '/servers/1/alias',
    severity: 'error',
    message: 'duplicate alias "up"',
  },
  {
    rule: 'unknown integration type',
    config: { paths: [{ method: 'GET', path: '/a', integration: { type: 'lambda' } }] },
    pointer: '/paths/0/integration/type',
    severity: 'error',
    message: 'unknown integration type "lambda"',
  },
  {
    rule: 'unknown authorizer type',
    config: { authorizer: { type: 'jwtt', secret: SECRET }, paths: [] },
    pointer: '/authorizer/type',
    severity: 'error',
    message: 'unknown authorizer type "jwtt"',
  },
  {
    rule: 'http_proxy needs server',
    config: { paths: [{ method: 'GET', path: '/a', integration: { type: 'http_proxy' } }] },
    pointer: '/paths/0/integration/server',
    severity: 'error',
    message: 'is required',
  },
  {
    rule: 'service needs binding',
    config: { paths: [{ method: 'GET', path: '/a', integration: { type: 'service' } }] },
    pointer: '/paths/0/integration/binding',
    severity: 'error',
    message: 'is required',
  },
  {
    rule: 'service_binding needs function',
    config: {
      serviceBindings: [{ alias: 'b', binding: 'B' }],
      paths: [{ method: 'GET', path: '/a', integration: { type: 'service_binding', binding: 'b' } }],
    },
    pointer: '/paths/0/integration/function',
    severity: 'error',
    message: 'is required',
  },
  {
    rule: 'two routes with the same method and pattern (parameter names ignored)',
    config: {
      paths: [
        { method: 'GET', path: '/a/{x}' },
        { method: 'GET', path: '/a/{y}' },
      ],
    },
    pointer: '/paths/1',
    severity: 'error',
    message: 'duplicate route GET /a/{y}',
  },
  ...['/a/{.+}/b', '/a/{}', '/a/x{id}', '/a/../b', '/a//b', '/a?x', '/a#x', '/a/{proxy+}'].map(
    (path): Row => ({
      rule: `invalid path pattern ${path}`,
      config: { paths: [{ method: 'GET', path }] },
      pointer: '/paths/0/path',
      severity: 'error',
      message: '',
    }),
  ),
  {
    rule: 'CORS "*" with credentials',
    config: { cors: { allow_origins: ['*'], allow_credentials: true }, paths: [] },
    pointer: '/cors/allow_credentials',
    severity: 'error',
    message: 'allow_credentials cannot be true',
  },
  {
    rule: 'CORS origin with a path',
    config: { cors: { allow_origins: ['https://a.example/app'] }, paths: [] },
    pointer: '/cors/allow_origins/0',
    severity: 'error',
    message: '',
  },
  {
    rule: 'CORS * not in the leading labels',
    config: { cors: { allow_origins: ['https://example.*'] }, paths: [] },
    pointer: '/cors/allow_origins/0',
    severity: 'error',
    message: '',
  },
  {
    rule: 'mapping: unknown source',
    config: { servers: [UP], paths: [proxy({ mapping: { headers: { 'x-a': '$request.body.x' } } })] },
    pointer: '/paths/0/mapping/headers/x-a',
    severity: 'error',
    message: '',
  },
  {
    rule: 'mapping: $config.KEY with no such variable',
    config: { servers: [UP], paths: [proxy({ mapping: { headers: { 'x-a': '$config.missing' } } })] },
    pointer: '/paths/0/mapping/headers/x-a',
    severity: 'error',
    message: 'missing',
  },
  {
    rule: 'mapping: a header mapping may not set',
    config: { servers: [UP], paths: [proxy({ mapping: { headers: { Host: 'x' } } })] },
    pointer: '/paths/0/mapping/headers/Host',
    severity: 'error',
    message: 'managed by the gateway',
  },
  {
    rule: 'mapping: $request.path.NAME naming no route parameter',
    config: {
      servers: [UP],
      paths: [proxy({ path: '/items/{id}', mapping: { headers: { 'x-a': '$request.path.typo' } } })],
    },
    pointer: '/paths/0/mapping/headers/x-a',
    severity: 'error',
    message: 'has no {typo} parameter',
  },
  {
    rule: 'a named authorizer called "default" next to a top-level authorizer',
    config: {
      authorizer: { type: 'jwt', secret: SECRET },
      authorizers: { default: { type: 'jwt', secret: SECRET } },
      paths: [],
    },
    pointer: '/authorizers/default',
    severity: 'error',
    message: '"default" names the top-level "authorizer"',
  },
  {
    rule: 'an HMAC secret shorter than the hash is an error naming its length',
    config: { authorizer: { type: 'jwt', secret: 'short' }, paths: [] },
    pointer: '/authorizer/secret',
    severity: 'error',
    message: 'HMAC secret is 5 bytes; HS256 needs at least 32',
  },
  {
    rule: 'HS384 and HS512 need 48 and 64 bytes',
    config: {
      authorizer: { type: 'jwt', secret: 'k'.repeat(40), algorithms: ['HS256', 'HS384'] },
      paths: [],
    },
    pointer: '/authorizer/secret',
    severity: 'error',
    message: 'HS384 needs at least 48',
  },
  {
    rule: 'allow_weak_secret makes a short secret a warning',
    config: { authorizer: { type: 'jwt', secret: 'short', allow_weak_secret: true }, paths: [] },
    pointer: '/authorizer/secret',
    severity: 'warning',
    message: 'HMAC secret is 5 bytes',
  },
  {
    rule: 'allow_weak_secret is still an error with GATEHOUSE_STRICT=1',
    config: { authorizer: { type: 'jwt', secret: 'short', allow_weak_secret: true }, paths: [] },
    strict: true,
    pointer: '/authorizer/secret',
    severity: 'error',
    message: 'GATEHOUSE_STRICT=1',
  },
  {
    rule: 'a gateway.trusted_proxies entry that is not an address or CIDR range',
    config: { gateway: { trusted_proxies: ['10.0.0.0/8', 'proxy.internal'] }, paths: [] },
    pointer: '/gateway/trusted_proxies/1',
    severity: 'error',
    message: 'is not an IP address or CIDR range',
  },
  {
    rule: 'a reference to an unset variable',
    config: { authorizer: { type: 'jwt', secret: '$secret.JWT_SECRET' }, paths: [] },
    pointer: '/authorizer/secret',
    severity: 'error',
    message: 'JWT_SECRET is not set',
  },
  {
    rule: 'legacy spelling servicesBindings is merged, with a warning',
    config: { servicesBindings: [{ alias: 'b', binding: 'B' }], paths: [] },
    pointer: '/servicesBindings',
    severity: 'warning',
    message: 'merged into "serviceBindings"',
  },
  {
    rule: 'status/headers/response on a route with an integration are ignored (warning)',
    config: { servers: [UP], paths: [proxy({ status: 201 })] },
    pointer: '/paths/0/status',
    severity: 'warning',
    message: 'ignored',
  },
  {
    rule: 'mapping on a route that is not http_proxy (warning)',
    config: { paths: [{ method: 'GET', path: '/a', mapping: { headers: { 'x-a': 'b' } } }] },
    pointer: '/paths/0/mapping',
    severity: 'warning',
    message: 'http_proxy routes only',
  },
];

describe('config → problems (docs/CONFIG.md "Semantic rules")', () => {
  it.each(ROWS)('$rule', ({ config, env, strict, pointer, severity, message }) => {
    const problems = problemsOf(config, env, strict);
    const found = problems.filter((p) => p.pointer === pointer && p.severity === severity);
    expect(found.map((p) => p.message).join('\n'), JSON.stringify(problems)).toContain(message);
    expect(found.length).toBeGreaterThan(0);
  });

  it('a legacy servicesBindings entry can be referenced like a serviceBindings one', () => {
    const problems = problemsOf({
      servicesBindings: [{ alias: 'hooks', binding: 'HOOKS' }],
      servers: [UP],
      paths: [proxy({ pre_process: { binding: 'hooks', function: 'check' } })],
    });
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('a config with none of these problems loads without any', () => {
    expect(
      problemsOf({
        authorizer: { type: 'jwt', secret: SECRET },
        servers: [UP],
        paths: [
          proxy({ path: '/items/{id}', auth: true, mapping: { headers: { 'x-a': '$request.path.id' } } }),
        ],
      }),
    ).toEqual([]);
  });
});
