import { checkAuthorizers as checkAuthorizerDefinitions, type AuthorizerPlan } from '../auth/lint.js';
import { checkCors, type CompiledCors } from '../cors/index.js';
import { lintTraffic } from '../traffic/lint.js';
import { lintIdentityFlows } from '../integrations/identity/lint.js';
import { checkMapping, type CompiledMapping } from '../mapping/index.js';
import { checkServer, type ServerPlan } from '../proxy/targets.js';
import { isApiKeyAuthorizer } from '../auth/authorizers/api-key.js';
import { lintTrustedProxies } from '../proxy/trusted-proxies.js';
import { findDuplicateRoutes } from '../router/router.js';
import { parsePathPattern } from '../router/pattern.js';
import { pathStyleHints } from '../router/path-hints.js';
import { isIdentityFlow } from '../integrations/identity/select.js';
import { integrationDefinition } from '../integrations/registry.js';
import { referencedAlias, requiredFields, type IntegrationDefinition } from '../integrations/definition.js';
import type { SourceConfig } from '../config/load.js';
import { configError, configWarning, type ConfigProblem } from '../config/problems.js';
import type {
  GatewayConfig,
  HookConfig,
  IntegrationConfig,
  RouteConfig,
  RouteWithIntegration,
  ServiceConfig,
} from '../config/schema.js';

/**
 * Semantic rules that a schema cannot express (docs/CONFIG.md "Semantic rules"): references
 * between parts of the file, duplicate routes, per-type required fields, the rules of each
 * feature (authorizers, CORS, mapping, identity flows). Each problem names its JSON pointer.
 *
 * They run on every part the schema accepted, even when other parts have schema errors, so one
 * `gatehouse validate` run reports every problem of the file: a schema error in one route does
 * not hide the semantic problems of the others. A part the schema refused is skipped (its
 * schema error says what is wrong); an alias table the schema refused as a whole accepts every
 * reference, rather than reporting references it cannot judge.
 */
export interface CheckOptions {
  /** GATEHOUSE_STRICT=1: warnings about weak secrets become errors. */
  readonly strict: boolean;
  /** For environment-dependent warnings (the Supabase flows' variables). */
  readonly env?: Readonly<Record<string, unknown>>;
}

/**
 * What the checks compiled on the way, handed to the compiler (compile-gateway.ts) so nothing is
 * checked twice: each part is here only when it has no error.
 */
export interface CheckedParts {
  readonly cors: CompiledCors | undefined;
  /** Token authorizers by name (`default` is the top-level `authorizer`), narrowed to their kind. */
  readonly authorizers: ReadonlyMap<string, AuthorizerPlan>;
  /** `servers[]` checked and parsed, by alias. */
  readonly servers: ReadonlyMap<string, ServerPlan>;
  /** Every route of `paths`, in order, with its references resolved (complete when the config has no error). */
  readonly routes: readonly RoutePlan[];
  /** Each http_proxy route's compiled mapping (absent: nothing to map). */
  readonly mappings: ReadonlyMap<RouteConfig, CompiledMapping>;
  /** The authorizer each identity-flow route resolved to. */
  readonly flowAuthorizers: ReadonlyMap<RouteConfig, string>;
}

/** The authorizer a route verifies with, resolved: a token authorizer's plan, or an API-key authorizer. */
export type RouteAuth =
  | { readonly kind: 'token'; readonly name: string; readonly plan: AuthorizerPlan }
  | { readonly kind: 'api_key'; readonly name: string };

/** The entry an integration's reference names, resolved (integrations/definition.ts `reference`). */
export type RouteTarget =
  | { readonly kind: 'server'; readonly server: ServerPlan }
  | { readonly kind: 'service'; readonly service: ServiceConfig }
  | { readonly kind: 'binding'; readonly binding: string }
  | { readonly kind: 'hook'; readonly hook: HookConfig; readonly binding: string };

interface RoutePlanBase {
  /** The route's index in `paths` (its pointer, `/paths/N`). */
  readonly index: number;
  /** Absent: the route verifies no token (no `auth`, or an identity flow, where `auth` selects the flow's authorizer). */
  readonly auth?: RouteAuth;
  /** The binding (`serviceBindings[].binding`) the route's `pre_process` hook calls. */
  readonly preProcessBinding?: string;
}

/**
 * A route the checks accepted, with its references resolved: a static route, or a route with
 * its integration's definition (every required field present) and what its reference names.
 */
export type RoutePlan = RoutePlanBase &
  (
    | { readonly route: RouteConfig; readonly definition?: undefined; readonly target?: undefined }
    | {
        readonly route: RouteWithIntegration<IntegrationConfig>;
        readonly definition: IntegrationDefinition;
        /** Absent: the type references nothing, or its optional hook is not configured. */
        readonly target?: RouteTarget;
      }
  );

export interface CheckedConfig {
  readonly problems: ConfigProblem[];
  readonly parts: CheckedParts;
}

export function checkConfig(source: SourceConfig, options: CheckOptions): CheckedConfig {
  const config = source.config as unknown as GatewayConfig;
  const valid = (pointer: string): boolean => !source.schemaErrorAt(pointer);
  const problems: ConfigProblem[] = [];
  const serverAliases = aliasSet(config.servers, '/servers', valid, problems);
  const serviceAliases = aliasSet(config.services, '/services', valid, problems);
  const bindingAliases = aliasSet(config.serviceBindings, '/serviceBindings', valid, problems);

  const servers = new Map<string, ServerPlan>();
  for (const [server, i] of entries(config.servers, '/servers', valid)) {
    const plan = checkServer(server, `/servers/${i}`);
    problems.push(...plan.problems);
    if (plan.value && !servers.has(server.alias)) servers.set(server.alias, plan.value);
  }
  const cors = config.cors && valid('/cors') ? checkCors(config.cors, '/cors') : undefined;
  if (cors) problems.push(...cors.problems);
  if (valid('/gateway')) problems.push(...lintTrustedProxies(config.gateway?.trusted_proxies));
  const authorizers = checkAuthorizerDefinitions(
    config,
    { strict: options.strict, verifyingAuthorizers: verifyingAuthorizers(config) },
    valid,
  );
  problems.push(...authorizers.problems);
  // Traffic control reads policies, consumers, authorizers and routes together: it runs when
  // the schema accepted all of them (docs/TRAFFIC.md "Validation").
  if (['/rate_limits', '/consumers', '/gateway', '/authorizer', '/authorizers', '/paths'].every(valid))
    problems.push(...lintTraffic(config));

  const refs = { serverAliases, serviceAliases, bindingAliases };
  const mappings = new Map<RouteConfig, CompiledMapping>();
  const routes = entries(config.paths, '/paths', valid);
  const routePlans: RoutePlan[] = [];
  for (const [route, index] of routes) {
    const routeProblems = lintRoute(config, route, `/paths/${index}`, refs, mappings);
    problems.push(...routeProblems);
    if (routeProblems.some((p) => p.severity === 'error')) continue;
    const plan = planRoute(config, route, index, authorizers.plans, servers);
    if (plan) routePlans.push(plan);
  }

  const routeIndex = routes.map(([, index]) => index);
  for (const { first, duplicate } of findDuplicateRoutes(routes.map(([route]) => route))) {
    const [route] = routes[duplicate] ?? [];
    problems.push(
      configError(
        `/paths/${routeIndex[duplicate]}`,
        `duplicate route ${route?.method ?? ''} ${route?.path ?? ''}: /paths/${routeIndex[first]} has the same method and path, so this one could never win`,
      ),
    );
  }
  const flowAuthorizers = new Map<RouteConfig, string>();
  problems.push(
    ...lintIdentityFlows(config, options.env, (index) => valid(`/paths/${index}`), flowAuthorizers),
  );
  return {
    problems,
    parts: {
      cors: cors?.value,
      authorizers: authorizers.plans,
      servers,
      routes: routePlans,
      mappings,
      flowAuthorizers,
    },
  };
}

/**
 * The references of a route the checks accepted, resolved to what they name, so the compiler
 * holds the checked values instead of looking names up again. Undefined only when what the route
 * names had its own errors (reported at that part's pointer, so the config is refused anyway).
 */
function planRoute(
  config: GatewayConfig,
  route: RouteConfig,
  index: number,
  authorizerPlans: ReadonlyMap<string, AuthorizerPlan>,
  servers: ReadonlyMap<string, ServerPlan>,
): RoutePlan | undefined {
  let auth: RouteAuth | undefined;
  if (route.auth !== undefined && route.auth !== false && !isIdentityFlow(route.integration?.type)) {
    const name = route.auth === true ? 'default' : route.auth;
    const plan = authorizerPlans.get(name);
    if (plan) auth = { kind: 'token', name, plan };
    else if (isApiKeyAuthorizer(name === 'default' ? config.authorizer : config.authorizers?.[name]))
      auth = { kind: 'api_key', name };
    else return undefined;
  }
  const bindingOf = (alias: string): string | undefined =>
    config.serviceBindings?.find((b) => b.alias === alias)?.binding;
  let preProcessBinding: string | undefined;
  if (route.pre_process) {
    preProcessBinding = bindingOf(route.pre_process.binding);
    if (preProcessBinding === undefined) return undefined;
  }
  const base = {
    index,
    ...(auth ? { auth } : {}),
    ...(preProcessBinding !== undefined ? { preProcessBinding } : {}),
  };
  if (!hasIntegration(route)) return { ...base, route };
  const definition = integrationDefinition(route.integration.type);
  if (!definition) return undefined;
  const reference = definition.reference;
  const alias = reference ? referencedAlias(route.integration, reference) : undefined;
  if (reference === undefined || alias === undefined) return { ...base, route, definition };
  let target: RouteTarget | undefined;
  if (reference.table === 'servers') {
    const server = servers.get(alias);
    target = server && { kind: 'server', server };
  } else if (reference.table === 'services') {
    const service = config.services?.find((s) => s.alias === alias);
    target = service && { kind: 'service', service };
  } else {
    const binding = bindingOf(alias);
    const hook = reference.field === 'post_process' ? route.integration.post_process : undefined;
    if (binding !== undefined) target = hook ? { kind: 'hook', hook, binding } : { kind: 'binding', binding };
  }
  return target ? { ...base, route, definition, target } : undefined;
}

function hasIntegration(route: RouteConfig): route is RouteWithIntegration<IntegrationConfig> {
  return route.integration !== undefined;
}

type Valid = (pointer: string) => boolean;

/** The entries of an array part the schema accepted, with their indexes in the file. */
function entries<T>(list: readonly T[] | undefined, pointer: string, valid: Valid): Array<[T, number]> {
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry, index) =>
    valid(`${pointer}/${index}`) ? [[entry, index] as [T, number]] : [],
  );
}

/**
 * Authorizers a route verifies tokens with (`auth: true` is "default"); identity-flow routes
 * only select their flow's authorizer. An empty inline key set is an error only for these.
 */
function verifyingAuthorizers(config: GatewayConfig): Set<string> {
  const names = new Set<string>();
  for (const route of Array.isArray(config.paths) ? config.paths : []) {
    if (typeof route !== 'object' || route === null) continue;
    const auth: unknown = route.auth;
    if (auth === undefined || auth === false || isIdentityFlow(route.integration?.type)) continue;
    if (auth === true) names.add('default');
    else if (typeof auth === 'string') names.add(auth);
  }
  return names;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The aliases a route may reference; `has` is always true when the schema refused the table. */
interface AliasTable {
  has(alias: string): boolean;
}

interface AliasRefs {
  readonly serverAliases: AliasTable;
  readonly serviceAliases: AliasTable;
  readonly bindingAliases: AliasTable;
}

function lintRoute(
  config: GatewayConfig,
  route: RouteConfig,
  at: string,
  refs: AliasRefs,
  mappings: Map<RouteConfig, CompiledMapping>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const parsedPath = parsePathPattern(route.path);
  if (parsedPath.error) problems.push(configError(`${at}/path`, parsedPath.error));
  else for (const hint of pathStyleHints(route.path)) problems.push(configWarning(`${at}/path`, hint));
  // `$request.path.NAME` must name one of the route's `{name}` parameters (unknown when the
  // pattern itself is refused, so it is not checked then).
  const pathParams = parsedPath.pattern?.segments.flatMap((s) => (s.kind === 'param' ? [s.name] : []));

  problems.push(...lintRouteAuth(config, route, at));

  if (route.pre_process && !refs.bindingAliases.has(route.pre_process.binding)) {
    problems.push(
      configError(
        `${at}/pre_process/binding`,
        `no serviceBindings entry has alias "${route.pre_process.binding}"`,
      ),
    );
  }

  const integration = route.integration;
  if (!integration) {
    if (route.mapping)
      problems.push(configWarning(`${at}/mapping`, 'mapping applies to http_proxy routes only'));
    if (route.timeout_ms !== undefined)
      problems.push(configWarning(`${at}/timeout_ms`, 'only used by http_proxy routes'));
    return problems;
  }

  const definition = integrationDefinition(integration.type);
  if (!definition) {
    problems.push(configError(`${at}/integration/type`, `unknown integration type "${integration.type}"`));
    return problems;
  }
  for (const field of requiredFields(definition)) {
    if (integration[field] === undefined)
      problems.push(configError(`${at}/integration/${field}`, 'is required'));
  }
  const aliasTables = {
    servers: refs.serverAliases,
    services: refs.serviceAliases,
    serviceBindings: refs.bindingAliases,
  };
  const reference = definition.reference;
  const alias = reference ? referencedAlias(integration, reference) : undefined;
  if (reference && alias !== undefined && !aliasTables[reference.table].has(alias)) {
    const field = reference.field === 'post_process' ? 'post_process/binding' : reference.field;
    problems.push(
      configError(`${at}/integration/${field}`, `no ${reference.table} entry has alias "${alias}"`),
    );
  }
  for (const field of ['status', 'headers', 'response'] as const) {
    if (route[field] !== undefined) {
      problems.push(
        configWarning(`${at}/${field}`, `ignored: the route has an integration (static responses only)`),
      );
    }
  }
  if (route.mapping) {
    if (integration.type !== 'http_proxy') {
      problems.push(configWarning(`${at}/mapping`, 'mapping applies to http_proxy routes only'));
    }
    const mapping = checkMapping(route.mapping, `${at}/mapping`, {
      routeVariables: route.variables,
      globalVariables: config.variables,
      pathParams,
    });
    problems.push(...mapping.problems);
    if (mapping.value && integration.type === 'http_proxy') mappings.set(route, mapping.value);
  }
  return problems;
}

function lintRouteAuth(config: GatewayConfig, route: RouteConfig, at: string): ConfigProblem[] {
  if (route.auth === undefined || route.auth === false) {
    return route.scopes ? [configError(`${at}/scopes`, 'scopes need "auth" on the route to be checked')] : [];
  }
  if (route.auth === true) {
    return config.authorizer
      ? []
      : [
          configError(
            `${at}/auth`,
            'auth is true but there is no top-level "authorizer" (the route would be unprotected)',
          ),
        ];
  }
  if (!isRecord(config.authorizers) && config.authorizers !== undefined) return [];
  if (config.authorizers && Object.hasOwn(config.authorizers, route.auth)) return [];
  const known = Object.keys(config.authorizers ?? {});
  return [
    configError(
      `${at}/auth`,
      `no authorizer named "${route.auth}" in "authorizers"${known.length ? ` (known: ${known.join(', ')})` : ''}`,
    ),
  ];
}

const ANY_ALIAS: AliasTable = { has: () => true };

function aliasSet(
  list: readonly { alias: string }[] | undefined,
  pointer: string,
  valid: Valid,
  problems: ConfigProblem[],
): AliasTable {
  if (list !== undefined && !Array.isArray(list)) return ANY_ALIAS;
  const aliases = new Set<string>();
  list?.forEach((entry, i) => {
    // An entry the schema refused still names its alias when it has one, so the routes that
    // reference it are not reported twice.
    if (typeof entry !== 'object' || entry === null || typeof entry.alias !== 'string') return;
    if (aliases.has(entry.alias) && valid(`${pointer}/${i}/alias`)) {
      problems.push(configError(`${pointer}/${i}/alias`, `duplicate alias "${entry.alias}"`));
    }
    aliases.add(entry.alias);
  });
  return aliases;
}
