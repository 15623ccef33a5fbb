/**
 * The one config every conformance case runs against, on every runtime. Upstream addresses come
 * from `$env` references so the same file works wherever the recording upstream listens.
 */
export const CONFORMANCE_SECRET = 'conformance-secret-0123456789-abcdefghij';
export const CONFORMANCE_ISSUER = 'https://issuer.conformance.test/';
export const CONFORMANCE_AUDIENCE = 'conformance-api';

export function conformanceEnv(upstreamUrl: string): Record<string, string> {
  return {
    UPSTREAM_BASE: `${upstreamUrl}/base`,
    UPSTREAM_WITH_QUERY: `${upstreamUrl}/q?fixed=1&shared=server`,
    UPSTREAM_ROOT: upstreamUrl,
    JWT_SECRET: CONFORMANCE_SECRET,
  };
}

const proxy = (server: string): { type: string; server: string } => ({ type: 'http_proxy', server });

export const conformanceConfig = {
  servers: [
    { alias: 'backend', url: '$env.UPSTREAM_BASE' },
    { alias: 'root', url: '$env.UPSTREAM_ROOT' },
    { alias: 'with-query', url: '$env.UPSTREAM_WITH_QUERY' },
    { alias: 'slowpoke', url: '$env.UPSTREAM_ROOT', timeout_ms: 400 },
    { alias: 'refused', url: 'http://127.0.0.1:1' },
    { alias: 'quiet', url: '$env.UPSTREAM_ROOT', idle_timeout_ms: 400 },
  ],
  cors: {
    allow_origins: ['https://app.example.com', 'https://*.example.org'],
    allow_methods: ['GET', 'POST', 'PUT'],
    allow_headers: ['Authorization', 'Content-Type'],
    expose_headers: ['X-Request-Id', 'X-Custom'],
    allow_credentials: true,
    max_age: 600,
  },
  authorizer: {
    type: 'jwt',
    secret: '$secret.JWT_SECRET',
    algorithm: 'HS256',
    issuer: CONFORMANCE_ISSUER,
    audience: CONFORMANCE_AUDIENCE,
  },
  variables: { tenant: 'global-tenant', plan: 'free' },
  gateway: { max_body_bytes: 1024 * 1024, max_url_length: 2048 },
  paths: [
    { method: 'GET', path: '/health', response: { status: 'ok' } },
    { method: 'GET', path: '/static/string', response: 'hello' },
    { method: 'GET', path: '/static/none' },
    {
      method: 'POST',
      path: '/static/created',
      status: 201,
      headers: { 'X-Custom': 'yes' },
      response: { created: true },
    },
    { method: 'GET', path: '/items/{id}', response: { route: 'param' } },
    { method: 'GET', path: '/items/{.+}', response: { route: 'wildcard' } },
    { method: 'GET', path: '/items/special', response: { route: 'literal' } },
    { method: 'GET', path: '/users/me', response: { route: 'get-literal' } },
    { method: 'ANY', path: '/users/{id}', response: { route: 'any-param' } },
    { method: 'GET', path: '/users/{id}', response: { route: 'get-param' } },
    { method: 'GET', path: '/a/b/{x}', response: { route: 'later-param' } },
    { method: 'GET', path: '/a/{x}/c', response: { route: 'earlier-param' } },
    { method: 'GET', path: '/deep/{.+}', response: { route: 'deep-wildcard' } },
    { method: 'GET', path: '/deep/er/{.+}', response: { route: 'deeper-wildcard' } },
    { method: 'POST', path: '/only-post', response: { route: 'post' } },
    { method: 'PUT', path: '/only-post', response: { route: 'put' } },
    { method: 'OPTIONS', path: '/explicit-options', response: { route: 'explicit options' } },
    { method: 'GET', path: '/public/{.+}', response: { route: 'public' } },
    { method: 'GET', path: '/admin', auth: true, response: { route: 'admin' } },
    { method: 'ANY', path: '/proxy/{.+}', integration: proxy('backend') },
    { method: 'GET', path: '/api/v1/health', integration: proxy('backend') },
    { method: 'GET', path: '/query/{.+}', integration: proxy('with-query') },
    { method: 'GET', path: '/slow/{.+}', integration: proxy('slowpoke') },
    { method: 'GET', path: '/route-timeout/{.+}', timeout_ms: 300, integration: proxy('root') },
    { method: 'GET', path: '/down', integration: proxy('refused') },
    { method: 'GET', path: '/strip', strip_authorization: true, integration: proxy('root') },
    { method: 'ANY', path: '/up/{.+}', integration: proxy('root') },
    { method: 'GET', path: '/quiet/{.+}', integration: proxy('quiet') },
    { method: 'ANY', path: '/override/{.+}', allow_method_override: true, integration: proxy('root') },
    { method: 'GET', path: '/raw-location/{.+}', rewrite_location: false, integration: proxy('backend') },
    {
      method: 'POST',
      path: '/tenants/{tid}/orders',
      variables: { tenant: 'route-tenant' },
      integration: proxy('root'),
      mapping: {
        headers: {
          'x-tenant': '$config.tenant',
          'x-plan': '$config.plan',
          'x-tenant-id': '$request.path.tid',
          'x-combo': 'tenant:$request.path.tid:$config.plan',
          'x-constant': 'fixed-value',
          'x-from-query': '$request.query.q',
          'x-from-header': '$request.header.x-source',
        },
        query: { mapped: '$request.header.x-source', tid: '$request.path.tid' },
      },
    },
    {
      method: 'GET',
      path: '/me/{.+}',
      auth: true,
      integration: proxy('root'),
      mapping: {
        headers: {
          'x-user': '$request.jwt.sub',
          'x-org': '$request.jwt.org.id',
          'x-roles': '$request.jwt.roles',
          'x-note': '$request.jwt.note',
          authorization: 'Bearer $request.jwt.sub',
        },
      },
    },
  ],
} as const;
