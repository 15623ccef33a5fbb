import { Type, type Static, type TProperties, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * The one source of the config format: the validator (TypeBox's `Value`, an interpreter, no
 * code generation, so it runs on Workers) and `gatehouse schema` (JSON Schema draft 2020-12)
 * both come from these definitions. Keys follow the Serverless API Gateway's spelling; our
 * extensions are marked (ext). Type-specific required fields are semantic rules (lint.ts) so
 * errors name the field instead of "no union member matched".
 *
 * The `integration` object is the one part this folder does not describe: each integration type's
 * definition file (src/integrations/…) carries its own schema part, and the whole schema is
 * assembled above this folder (src/assembly/config-schema.ts) from `buildConfigSchema` here.
 */

const strict = { additionalProperties: false } as const;
/** A string that is not empty (the building block of most fields, shared with the schema parts). */
export const NonEmpty = Type.String({ minLength: 1 });
const StringOrList = Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]);
const PositiveInt = Type.Integer({ minimum: 1 });

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD'] as const;
export const ROUTE_METHODS = [...HTTP_METHODS, 'ANY'] as const;

export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;

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
    // oidc (ext, docs/CONFIG.md "oidc authorizer")
    client_auth: Type.Optional(Type.Union(CLIENT_AUTH_METHODS.map((m) => Type.Literal(m)))),
    client_private_key: Type.Optional(Type.Union([NonEmpty, Type.Record(Type.String(), Type.Unknown())])),
    scopes: Type.Optional(Type.Array(NonEmpty)),
    prompt: Type.Optional(NonEmpty),
    login_hint: Type.Optional(NonEmpty),
    organization: Type.Optional(NonEmpty),
    connection: Type.Optional(NonEmpty),
    screen_hint: Type.Optional(NonEmpty),
    authorization_params: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String())),
    post_logout_redirect_uri: Type.Optional(NonEmpty),
    // flows (ext)
    timeout_ms: Type.Optional(PositiveInt),
    // api_key (ext, docs/TRAFFIC.md)
    header: Type.Optional(NonEmpty),
    query: Type.Optional(NonEmpty),
    consumers_kv: Type.Optional(NonEmpty),
    // (ext) RFC 7518 §3.2 short HMAC secrets become a warning instead of an error.
    allow_weak_secret: Type.Optional(Type.Boolean()),
  },
  strict,
);

/** A binding function to call: a route's `pre_process`, an `auth0_callback`'s `post_process`. */
export const Hook = Type.Object({ binding: NonEmpty, function: NonEmpty }, strict);

/** (ext) Browser sessions of `oidc_login` (docs/CONFIG.md "session"). */
export const Session = Type.Object(
  {
    cookie: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
    ttl_s: Type.Optional(PositiveInt),
    idle_ttl_s: Type.Optional(PositiveInt),
    return_to: Type.Array(NonEmpty, { minItems: 1 }),
    secret: Type.Optional(NonEmpty),
    store: Type.Optional(
      Type.Union([
        Type.Object({ type: Type.Literal('redis'), url: NonEmpty }, strict),
        Type.Object({ type: Type.Literal('kv'), binding: NonEmpty }, strict),
      ]),
    ),
  },
  strict,
);

/**
 * The fields of `integration` besides `type`, by name. Empty here: each integration type's
 * definition file adds the fields of its schema part (TypeScript declaration merging,
 * `declare module '…/config/schema.js'`), so the type follows the parts the schema is assembled
 * from. Every field is optional on every type: which type needs which field is a semantic rule
 * (assembly/check-config.ts), so the error names the field.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the schema parts
export interface IntegrationFields {}

export type IntegrationConfig = { type: string } & Partial<IntegrationFields>;

/**
 * The `integration` object from the integration types' schema parts (their fields merged, each
 * optional, unknown keys refused like elsewhere).
 */
export function integrationSchema(fields: TProperties): TSchema {
  const optional: TProperties = {};
  for (const [name, schema] of Object.entries(fields)) optional[name] = Type.Optional(schema);
  return Type.Object({ type: NonEmpty, ...optional }, strict);
}

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
    /** RFC 5861, when the response says nothing (docs/PROTOCOLS.md "Response caching"). */
    stale_while_revalidate_s: Type.Optional(Type.Integer({ minimum: 0 })),
    stale_if_error_s: Type.Optional(Type.Integer({ minimum: 0 })),
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

const routeSchema = <I extends TSchema>(integration: I) =>
  Type.Object(
    {
      method: Type.Union(ROUTE_METHODS.map((m) => Type.Literal(m))),
      path: Type.String({ pattern: '^/' }),
      integration: Type.Optional(integration),
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
      // (ext) the same as integration.session, on an oidc_login route (docs/CONFIG.md)
      session: Type.Optional(Session),
      // (ext) docs/TRAFFIC.md: one policy name, a list (every one must admit), or false (none).
      rate_limit: Type.Optional(
        Type.Union([Type.Literal(false), NonEmpty, Type.Array(NonEmpty, { minItems: 1 })]),
      ),
    },
    strict,
  );

/** (ext) docs/TRAFFIC.md: one rate-limit policy. Ranges are checked here so errors name the field. */
const RateLimitPolicy = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    window_s: Type.Integer({ minimum: 1, maximum: 86_400 }),
    key: Type.Optional(Type.Array(NonEmpty)),
    scope: Type.Optional(Type.Union([Type.Literal('route'), Type.Literal('global')])),
    before_auth: Type.Optional(Type.Boolean()),
  },
  strict,
);

/** (ext) docs/TRAFFIC.md "Stores": where counts live; which types a runtime offers is checked at compile. */
const RateLimitStore = Type.Object(
  {
    type: Type.Union([
      Type.Literal('memory'),
      Type.Literal('redis'),
      Type.Literal('durable_object'),
      Type.Literal('workers_ratelimit'),
    ]),
    // memory
    max_keys: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
    // redis
    url: Type.Optional(NonEmpty),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: 60_000 })),
    on_error: Type.Optional(Type.Union([Type.Literal('allow'), Type.Literal('deny')])),
    prefix: Type.Optional(NonEmpty),
    // durable_object, workers_ratelimit
    binding: Type.Optional(NonEmpty),
    shards: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
  },
  strict,
);

/** (ext) docs/TRAFFIC.md "API keys": who a key belongs to, its plan and what mapping may read. */
const Consumer = Type.Object(
  {
    keys: Type.Optional(Type.Array(NonEmpty)),
    key_hashes: Type.Optional(Type.Array(Type.String({ pattern: '^sha256:[0-9a-fA-F]{64}$' }))),
    rate_limit: Type.Optional(Type.Union([NonEmpty, Type.Array(NonEmpty, { minItems: 1 })])),
    metadata: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    ),
  },
  strict,
);

const Gateway = Type.Object(
  {
    powered_by: Type.Optional(Type.Boolean()),
    max_body_bytes: Type.Optional(PositiveInt),
    max_url_length: Type.Optional(PositiveInt),
    max_concurrent_requests: Type.Optional(PositiveInt),
    // observability (ext, docs/OBSERVABILITY.md)
    admin: Type.Optional(
      Type.Object(
        {
          port: Type.Integer({ minimum: 0, maximum: 65535 }),
          host: Type.Optional(NonEmpty),
          // web console (ext, docs/CONSOLE.md)
          console: Type.Optional(Type.Boolean()),
          token: Type.Optional(Type.String({ minLength: 16 })),
        },
        strict,
      ),
    ),
    server_timing: Type.Optional(Type.Boolean()),
    health_path: Type.Optional(Type.String({ pattern: '^/' })),
    cache_max_bytes: Type.Optional(PositiveInt),
    // docs/BEHAVIOUR.md "Hostile input"
    trusted_proxies: Type.Optional(Type.Array(NonEmpty)),
    allow_underscores_in_headers: Type.Optional(Type.Boolean()),
    header_timeout_ms: Type.Optional(PositiveInt),
    request_timeout_ms: Type.Optional(PositiveInt),
    max_upstream_header_bytes: Type.Optional(Type.Integer({ minimum: 1024 })),
    // (ext) docs/TRAFFIC.md
    rate_limit_store: Type.Optional(RateLimitStore),
    default_rate_limit: Type.Optional(Type.Union([NonEmpty, Type.Array(NonEmpty, { minItems: 1 })])),
  },
  strict,
);

/**
 * The whole config schema around the assembled `integration` object (src/assembly/config-schema.ts
 * calls this once with the integration types' parts).
 */
export const buildConfigSchema = <I extends TSchema>(integration: I) =>
  Type.Object(
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
      rate_limits: Type.Optional(Type.Record(Type.String({ minLength: 1 }), RateLimitPolicy)),
      consumers: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Consumer)),
      paths: Type.Array(routeSchema(integration)),
    },
    { ...strict, $id: 'https://gatehouse.dev/schema/api-config.json', title: 'Gatehouse api-config.json' },
  );

/** What the assembled `integration` schema accepts, at the type level. */
type IntegrationSchema = TUnsafe<IntegrationConfig>;
export type ConfigSchema = ReturnType<typeof buildConfigSchema<IntegrationSchema>>;
export type GatewayConfig = Static<ConfigSchema>;
export type RouteConfig = Static<ReturnType<typeof routeSchema<IntegrationSchema>>>;
export type AuthorizerConfig = Static<typeof Authorizer>;
export type CorsConfig = Static<typeof Cors>;
export type MappingConfig = Static<typeof Mapping>;
export type ServerConfig = Static<typeof Server>;
export type ServiceConfig = Static<typeof Service>;
export type HookConfig = Static<typeof Hook>;
export type WebSocketConfig = Static<typeof WebSocket>;
export type HealthCheckConfig = Static<typeof HealthCheck>;
export type RouteCacheConfig = Static<typeof RouteCache>;
export type SessionConfig = Static<typeof Session>;
export type RateLimitPolicyConfig = Static<typeof RateLimitPolicy>;
export type RateLimitStoreConfig = Static<typeof RateLimitStore>;
export type ConsumerConfig = Static<typeof Consumer>;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

/** The JSON Schema document `gatehouse schema` prints (draft 2020-12). */
export function jsonSchemaDocument(schema: TSchema): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...plain };
}

/** A route whose `integration` is known to be the member `C`. */
export type RouteWithIntegration<C extends IntegrationConfig> = RouteConfig & { readonly integration: C };

/**
 * An authorizer definition as the checker guarantees it, one member per `type` with the fields
 * that type requires: verification and the flows read them without `?? ''` fallbacks.
 */
export type JwtAuthorizerConfig = AuthorizerConfig & { readonly type: 'jwt' };
export type Auth0AuthorizerConfig = AuthorizerConfig & { readonly type: 'auth0'; readonly domain: string };
export type SupabaseAuthorizerConfig = AuthorizerConfig & { readonly type: 'supabase' };
/** (ext) An OpenID Connect provider, named by `issuer` (one string) or an Auth0 `domain`. */
export type OidcAuthorizerConfig = AuthorizerConfig & { readonly type: 'oidc' };
export type CheckedAuthorizerConfig =
  JwtAuthorizerConfig | Auth0AuthorizerConfig | SupabaseAuthorizerConfig | OidcAuthorizerConfig;
