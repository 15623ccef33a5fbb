import type { AuthorizerConfig, GatewayConfig, RouteConfig } from '../../config/schema.js';
import { configError, pointerToken, type ConfigProblem } from '../../config/problems.js';
import type { Step } from '../../context.js';
import type { Consumer } from '../../consumers/types.js';
import type { ConsumerIndex } from '../../consumers/compile.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { isHeaderName } from '../../mapping/text.js';

/**
 * `type: "api_key"` (docs/TRAFFIC.md "API keys"): the request carries a key in a header
 * (`header`, default `x-api-key`) or, when `query` is set, in that query parameter; the key's
 * SHA-256 is looked up among `consumers` (and, on Workers, `consumers_kv`). Missing → 401
 * ERR_API_KEY_MISSING, unknown → 401 ERR_API_KEY_INVALID, both with a `WWW-Authenticate: ApiKey`
 * challenge naming where the key goes. The consumer is set on the request for mapping and rate
 * limits; the http_proxy integration removes the key header and parameter before forwarding.
 */
export const API_KEY_TYPE = 'api_key';
export const DEFAULT_API_KEY_HEADER = 'x-api-key';
const FIELDS: ReadonlySet<string> = new Set(['type', 'header', 'query', 'consumers_kv']);

export interface ApiKeyCredentials {
  /** Lower-case header name. */
  readonly header: string;
  readonly query: string | undefined;
}

export function isApiKeyAuthorizer(def: AuthorizerConfig | undefined): boolean {
  return def?.type === API_KEY_TYPE;
}

export function apiKeyCredentials(def: AuthorizerConfig): ApiKeyCredentials {
  return { header: (def.header ?? DEFAULT_API_KEY_HEADER).toLowerCase(), query: def.query };
}

/** The api_key authorizer a route uses, if it uses one. */
export function routeApiKeyAuthorizer(
  config: Pick<GatewayConfig, 'authorizer' | 'authorizers'>,
  route: Pick<RouteConfig, 'auth'>,
): AuthorizerConfig | undefined {
  if (route.auth === undefined || route.auth === false) return undefined;
  const def =
    route.auth === true
      ? config.authorizer
      : config.authorizers && Object.hasOwn(config.authorizers, route.auth)
        ? config.authorizers[route.auth]
        : undefined;
  return isApiKeyAuthorizer(def) ? def : undefined;
}

/** Every `api_key` authorizer of a config: its name (`default` for `authorizer`) and JSON pointer. */
export function apiKeyAuthorizers(
  config: Pick<GatewayConfig, 'authorizer' | 'authorizers'>,
): { name: string; pointer: string; def: AuthorizerConfig }[] {
  const found: { name: string; pointer: string; def: AuthorizerConfig }[] = [];
  if (config.authorizer && isApiKeyAuthorizer(config.authorizer))
    found.push({ name: 'default', pointer: '/authorizer', def: config.authorizer });
  for (const [name, def] of Object.entries(config.authorizers ?? {}))
    if (isApiKeyAuthorizer(def)) found.push({ name, pointer: `/authorizers/${pointerToken(name)}`, def });
  return found;
}

export function lintApiKeyAuthorizer(def: AuthorizerConfig, pointer: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const field of Object.keys(def)) {
    if (!FIELDS.has(field))
      problems.push(
        configError(
          `${pointer}/${field}`,
          `not a field of an api_key authorizer (header, query, consumers_kv)`,
        ),
      );
  }
  if (def.header !== undefined && !isHeaderName(def.header))
    problems.push(configError(`${pointer}/header`, `"${def.header}" is not a valid header name`));
  if (def.header !== undefined && ['authorization', 'cookie', 'host'].includes(def.header.toLowerCase()))
    problems.push(configError(`${pointer}/header`, `"${def.header}" cannot carry an API key here`));
  return problems;
}

/** Looks a key's consumer up outside the config (Workers KV, src/consumers/kv.ts). */
export type ConsumerLookup = (key: string) => Promise<Consumer | undefined>;

export function createApiKeyStep(
  name: string,
  def: AuthorizerConfig,
  consumers: ConsumerIndex,
  lookup?: ConsumerLookup,
): Step {
  const { header, query } = apiKeyCredentials(def);
  const where = `header="${header}"${query === undefined ? '' : `, query="${query}"`}`;
  const missing = { 'www-authenticate': `ApiKey realm="gatehouse", ${where}` };
  const invalid = { 'www-authenticate': `ApiKey realm="gatehouse", ${where}, error="invalid_key"` };
  const refuse = (code: 'ERR_API_KEY_MISSING' | 'ERR_API_KEY_INVALID'): never => {
    throw new GatewayError(code, {
      headers: code === 'ERR_API_KEY_MISSING' ? missing : invalid,
      detail: { authorizer: name },
    });
  };

  return (ctx, next) => {
    // The adapter's header reader (Node) when the request is still the adapter's: no Web Headers.
    const reader = ctx.request === ctx.adapterRequest ? ctx.client.requestHeaders : undefined;
    let key = (reader ?? ctx.request.headers).get(header);
    if ((key === null || key === '') && query !== undefined && ctx.search.length > 1)
      key = new URLSearchParams(ctx.search).get(query);
    if (key === null || key === '') return refuse('ERR_API_KEY_MISSING');
    const consumer = consumers.find(key);
    if (consumer !== undefined) {
      ctx.consumer = consumer;
      ctx.log.auth = 'ok';
      ctx.log.consumer = consumer.name;
      return next(ctx);
    }
    if (lookup === undefined) return refuse('ERR_API_KEY_INVALID');
    return lookup(key).then((found) => {
      if (found === undefined) return refuse('ERR_API_KEY_INVALID');
      ctx.consumer = found;
      ctx.log.auth = 'ok';
      ctx.log.consumer = found.name;
      return next(ctx);
    });
  };
}
