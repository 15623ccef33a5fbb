import { lintAuthorizers } from '../auth/lint.js';
import { lintCors } from '../cors/index.js';
import { lintMapping } from '../mapping/index.js';
import { lintServerUrl } from '../proxy/upstream-url.js';
import { findDuplicateRoutes } from '../router/router.js';
import { parsePathPattern } from '../router/pattern.js';
import { INTEGRATION_REQUIREMENTS } from '../integrations/requirements.js';
import { lintTraffic } from '../traffic/lint.js';
import { configError, configWarning, type ConfigProblem } from './problems.js';
import type { GatewayConfig, RouteConfig } from './schema.js';

/**
 * Semantic rules that a schema cannot express (config.md "Semantic rules"): references between
 * parts of the file, duplicate routes, per-type required fields. Each problem names its JSON
 * pointer. Run only on a config that already matches the schema.
 */
export interface LintOptions {
  /** GATEHOUSE_STRICT=1: warnings about weak secrets become errors. */
  readonly strict: boolean;
}

export function lintConfig(config: GatewayConfig, options: LintOptions): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const serverAliases = aliasSet(config.servers, '/servers', problems);
  const serviceAliases = aliasSet(config.services, '/services', problems);
  const bindingAliases = aliasSet(config.serviceBindings, '/serviceBindings', problems);

  config.servers?.forEach((server, i) => {
    const urls = Array.isArray(server.url) ? server.url : [server.url];
    urls.forEach((url, j) => {
      const pointer = Array.isArray(server.url) ? `/servers/${i}/url/${j}` : `/servers/${i}/url`;
      const message = lintServerUrl(url);
      if (message) problems.push(configError(pointer, message));
    });
  });
  if (config.cors) problems.push(...lintCors(config.cors, '/cors'));
  problems.push(...lintAuthorizers(config, options));
  problems.push(...lintTraffic(config));

  const refs = { serverAliases, serviceAliases, bindingAliases };
  config.paths.forEach((route, index) => problems.push(...lintRoute(config, route, `/paths/${index}`, refs)));

  for (const { first, duplicate } of findDuplicateRoutes(config.paths)) {
    const route = config.paths[duplicate];
    problems.push(
      configError(
        `/paths/${duplicate}`,
        `duplicate route ${route?.method ?? ''} ${route?.path ?? ''}: /paths/${first} has the same method and path, so this one could never win`,
      ),
    );
  }
  return problems;
}

interface AliasRefs {
  readonly serverAliases: ReadonlySet<string>;
  readonly serviceAliases: ReadonlySet<string>;
  readonly bindingAliases: ReadonlySet<string>;
}

function lintRoute(config: GatewayConfig, route: RouteConfig, at: string, refs: AliasRefs): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const patternError = parsePathPattern(route.path).error;
  if (patternError) problems.push(configError(`${at}/path`, patternError));

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

  const requirement = INTEGRATION_REQUIREMENTS[integration.type];
  if (!requirement) {
    problems.push(configError(`${at}/integration/type`, `unknown integration type "${integration.type}"`));
    return problems;
  }
  for (const field of requirement.required) {
    if (integration[field] === undefined)
      problems.push(configError(`${at}/integration/${field}`, 'is required'));
  }
  const aliasTable = {
    server: refs.serverAliases,
    service: refs.serviceAliases,
    serviceBinding: refs.bindingAliases,
  };
  if (requirement.aliasField && requirement.aliasTable) {
    const alias = integration[requirement.aliasField];
    if (alias !== undefined && !aliasTable[requirement.aliasTable].has(alias)) {
      problems.push(
        configError(
          `${at}/integration/${requirement.aliasField}`,
          `no ${requirement.aliasTableName} entry has alias "${alias}"`,
        ),
      );
    }
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
    problems.push(...lintMapping(route.mapping, `${at}/mapping`, route.variables, config.variables));
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
  if (config.authorizers && Object.hasOwn(config.authorizers, route.auth)) return [];
  const known = Object.keys(config.authorizers ?? {});
  return [
    configError(
      `${at}/auth`,
      `no authorizer named "${route.auth}" in "authorizers"${known.length ? ` (known: ${known.join(', ')})` : ''}`,
    ),
  ];
}

function aliasSet(
  entries: readonly { alias: string }[] | undefined,
  pointer: string,
  problems: ConfigProblem[],
): Set<string> {
  const aliases = new Set<string>();
  entries?.forEach((entry, i) => {
    if (aliases.has(entry.alias)) {
      problems.push(configError(`${pointer}/${i}/alias`, `duplicate alias "${entry.alias}"`));
    }
    aliases.add(entry.alias);
  });
  return aliases;
}
