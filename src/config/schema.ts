import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * The one source of the config format: the validator (TypeBox's `Value`, an interpreter, no
 * code generation, so it runs on Workers) and `gatehouse schema` (JSON Schema draft 2020-12)
 * both come from these definitions. Keys follow the Serverless API Gateway's spelling; our
 * extensions are marked (ext). Type-specific required fields are semantic rules (lint.ts) so
 * errors name the field instead of "no union member matched".
 */

const strict = { additionalProperties: false } as const;
const NonEmpty = Type.String({ minLength: 1 });
const StringOrList = Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]);
const PositiveInt = Type.Integer({ minimum: 1 });

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD'] as const;
export const ROUTE_METHODS = [...HTTP_METHODS, 'ANY'] as const;

export const INTEGRATION_TYPES = [
  'http_proxy',
  'http',
  'service',
  'service_binding',
  'auth0_callback',
  'auth0_userinfo',
  'auth0_callback_redirect',
  'auth0_refresh',
  'supabase_passwordless_auth',
  'supabase_passwordless_verify',
  'supabase_passwordless_auth_alt',
] as const;

export const AUTHORIZER_TYPES = ['jwt', 'auth0', 'supabase'] as const;

const HealthCheck = Type.Object(
  {
    path: Type.String({ pattern: '^/' }),
    interval_ms: Type.Optional(PositiveInt),
    timeout_ms: Type.Optional(PositiveInt),
    healthy_threshold: Type.Optional(PositiveInt),
    unhealthy_threshold: Type.Optional(PositiveInt),
    expect_status: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1 })),
  },
  strict,
);

const Server = Type.Object(
  {
    alias: NonEmpty,
    url: Type.Union([NonEmpty, Type.Array(NonEmpty, { minItems: 1 })]),
    timeout_ms: Type.Optional(PositiveInt),
    /** docs/PROTOCOLS.md "Upstream HTTP/2": offer h2 by ALPN to https upstreams (Node). */
    http2: Type.Optional(Type.Boolean()),
    /** docs/PROTOCOLS.md "Upstream pools" (several URLs only). */
    balance: Type.Optional(Type.Union([Type.Literal('round_robin'), Type.Literal('least_requests')])),
    health_check: Type.Optional(HealthCheck),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
    circuit_breaker: Type.Optional(
      Type.Object({ failures: Type.Optional(PositiveInt), open_ms: Type.Optional(PositiveInt) }, strict),
    ),
    // (ext) docs/CONFIG.md: longest silence while the upstream's response body streams.
    idle_timeout_ms: Type.Optional(PositiveInt),
  },
  strict,
);

const Service = Type.Object({ alias: NonEmpty, entrypoint: NonEmpty }, strict);
const ServiceBinding = Type.Object({ alias: NonEmpty, binding: NonEmpty }, strict);

const Cors = Type.Object(
  {
    allow_origins: Type.Array(NonEmpty),
    allow_methods: Type.Optional(Type.Array(NonEmpty)),
    allow_headers: Type.Optional(Type.Array(NonEmpty)),
    expose_headers: Type.Optional(Type.Array(NonEmpty)),
    allow_credentials: Type.Optional(Type.Boolean()),
    max_age: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  strict,
);

const Authorizer = Type.Object(
  {
    type: NonEmpty,
    // jwt (anchor)
    secret: Type.Optional(NonEmpty),
    algorithm: Type.Optional(NonEmpty),
    issuer: Type.Optional(StringOrList),
    audience: Type.Optional(StringOrList),
    // jwt (ext)
    algorithms: Type.Optional(Type.Array(NonEmpty, { minItems: 1 })),
    public_key: Type.Optional(NonEmpty),
    jwks: Type.Optional(Type.Union([NonEmpty, Type.Object({ keys: Type.Array(Type.Unknown()) })])),
    jwks_uri: Type.Optional(NonEmpty),
    clock_tolerance: Type.Optional(Type.Number({ minimum: 0 })),
    required_claims: Type.Optional(Type.Array(NonEmpty)),
    max_token_age: Type.Optional(Type.Number({ minimum: 0 })),
    // auth0 (anchor)
    domain: Type.Optional(NonEmpty),
    client_id: Type.Optional(NonEmpty),
    client_secret: Type.Optional(NonEmpty),
    redirect_uri: Type.Optional(NonEmpty),
    callback_uri: Type.Optional(NonEmpty),
    scope: Type.Optional(Type.String()),
    // supabase (anchor)
    jwt_secret: Type.Optional(NonEmpty),
    // flows (ext)
    timeout_ms: Type.Optional(PositiveInt),
    // (ext) RFC 7518 §3.2 short HMAC secrets become a warning instead of an error.
    allow_weak_secret: Type.Optional(Type.Boolean()),
  },
  strict,
);

const Hook = Type.Object({ binding: NonEmpty, function: NonEmpty }, strict);

const Integration = Type.Object(
  {
    type: NonEmpty,
    server: Type.Optional(NonEmpty),
    binding: Type.Optional(NonEmpty),
    function: Type.Optional(NonEmpty),
    post_process: Type.Optional(Hook),
  },
  strict,
);

const Mapping = Type.Object(
  {
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    query: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  strict,
);

const Variables = Type.Record(Type.String(), Type.Unknown());

/** docs/PROTOCOLS.md "Response caching". */
const RouteCache = Type.Object(
  {
    ttl_s: PositiveInt,
    key: Type.Optional(Type.Array(Type.String({ pattern: '^(header|query|claim):.+$' }))),
    vary: Type.Optional(Type.Array(NonEmpty)),
  },
  strict,
);

/** docs/PROTOCOLS.md "WebSocket": `false` turns upgrades off; an object tunes them. */
const WebSocket = Type.Union([
  Type.Boolean(),
  Type.Object(
    {
      idle_timeout_ms: Type.Optional(PositiveInt),
      token_query: Type.Optional(NonEmpty),
      token_protocol_prefix: Type.Optional(NonEmpty),
    },
    strict,
  ),
]);

const Route = Type.Object(
  {
    method: Type.Union(ROUTE_METHODS.map((m) => Type.Literal(m))),
    path: Type.String({ pattern: '^/' }),
    integration: Type.Optional(Integration),
    response: Type.Optional(Type.Unknown()),
    auth: Type.Optional(Type.Union([Type.Boolean(), NonEmpty])),
    scopes: Type.Optional(Type.Array(NonEmpty)),
    mapping: Type.Optional(Mapping),
    variables: Type.Optional(Variables),
    pre_process: Type.Optional(Hook),
    timeout_ms: Type.Optional(PositiveInt),
    status: Type.Optional(Type.Integer({ minimum: 200, maximum: 599 })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    strip_authorization: Type.Optional(Type.Boolean()),
    websocket: Type.Optional(WebSocket),
    cache: Type.Optional(RouteCache),
    // (ext) docs/BEHAVIOUR.md "Hostile input"
    idle_timeout_ms: Type.Optional(PositiveInt),
    allow_method_override: Type.Optional(Type.Boolean()),
    rewrite_location: Type.Optional(Type.Boolean()),
  },
  strict,
);

const Gateway = Type.Object(
  {
    powered_by: Type.Optional(Type.Boolean()),
    max_body_bytes: Type.Optional(PositiveInt),
    max_url_length: Type.Optional(PositiveInt),
    max_concurrent_requests: Type.Optional(PositiveInt),
    cache_max_bytes: Type.Optional(PositiveInt),
    // docs/BEHAVIOUR.md "Hostile input"
    trusted_proxies: Type.Optional(Type.Array(NonEmpty)),
    allow_underscores_in_headers: Type.Optional(Type.Boolean()),
    header_timeout_ms: Type.Optional(PositiveInt),
    request_timeout_ms: Type.Optional(PositiveInt),
    max_upstream_header_bytes: Type.Optional(Type.Integer({ minimum: 1024 })),
  },
  strict,
);

export const ConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    title: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    servers: Type.Optional(Type.Array(Server)),
    services: Type.Optional(Type.Array(Service)),
    serviceBindings: Type.Optional(Type.Array(ServiceBinding)),
    servicesBindings: Type.Optional(Type.Array(ServiceBinding)),
    cors: Type.Optional(Cors),
    authorizer: Type.Optional(Authorizer),
    authorizers: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Authorizer)),
    variables: Type.Optional(Variables),
    gateway: Type.Optional(Gateway),
    paths: Type.Array(Route),
  },
  { ...strict, $id: 'https://gatehouse.dev/schema/api-config.json', title: 'Gatehouse api-config.json' },
);

export type GatewayConfig = Static<typeof ConfigSchema>;
export type RouteConfig = Static<typeof Route>;
export type AuthorizerConfig = Static<typeof Authorizer>;
export type IntegrationConfig = Static<typeof Integration>;
export type CorsConfig = Static<typeof Cors>;
export type MappingConfig = Static<typeof Mapping>;
export type ServerConfig = Static<typeof Server>;
export type HookConfig = Static<typeof Hook>;
export type WebSocketConfig = Static<typeof WebSocket>;
export type HealthCheckConfig = Static<typeof HealthCheck>;
export type RouteCacheConfig = Static<typeof RouteCache>;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

/** The JSON Schema document `gatehouse schema` prints (draft 2020-12). */
export function jsonSchemaDocument(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(ConfigSchema as TSchema)) as Record<string, unknown>;
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...plain };
}

/**
 * `integration` as the config checker guarantees it, one member per type with the fields that
 * type requires (docs/CONFIG.md): a factory receives its own member and never needs a
 * `server ?? ''`-style fallback. Identity flows need no integration field.
 */
export type HttpProxyIntegrationConfig = IntegrationConfig & {
  readonly type: 'http_proxy';
  readonly server: string;
};
export type ServiceIntegrationConfig = IntegrationConfig & {
  readonly type: 'service';
  readonly binding: string;
};
export type ServiceBindingIntegrationConfig = IntegrationConfig & {
  readonly type: 'service_binding';
  readonly binding: string;
  readonly function: string;
};

/** A route whose `integration` is known to be the member `C`. */
export type RouteWithIntegration<C extends IntegrationConfig> = RouteConfig & { readonly integration: C };

/**
 * An authorizer definition as the checker guarantees it, one member per `type` with the fields
 * that type requires: verification and the flows read them without `?? ''` fallbacks.
 */
export type JwtAuthorizerConfig = AuthorizerConfig & { readonly type: 'jwt' };
export type Auth0AuthorizerConfig = AuthorizerConfig & { readonly type: 'auth0'; readonly domain: string };
export type SupabaseAuthorizerConfig = AuthorizerConfig & { readonly type: 'supabase' };
export type CheckedAuthorizerConfig = JwtAuthorizerConfig | Auth0AuthorizerConfig | SupabaseAuthorizerConfig;
