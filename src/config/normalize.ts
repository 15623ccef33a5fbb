import { configWarning, type ConfigProblem } from './problems.js';

/**
 * Legacy spellings of the Serverless API Gateway, in one alias table (docs/CONFIG.md "Loading, once"):
 * integration type `http` is `http_proxy`; top-level `servicesBindings` merges into
 * `serviceBindings` (entries of `serviceBindings` win on a duplicate alias).
 * Works on a structural copy so the caller's object is never changed.
 */
const INTEGRATION_TYPE_ALIASES: Readonly<Record<string, string>> = { http: 'http_proxy' };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function normalizeConfig(input: unknown): { config: unknown; warnings: ConfigProblem[] } {
  if (!isObject(input)) return { config: input, warnings: [] };
  const warnings: ConfigProblem[] = [];
  const config: Json = { ...input };

  if ('servicesBindings' in config) {
    warnings.push(configWarning('/servicesBindings', 'deprecated spelling: merged into "serviceBindings"'));
    const legacy = Array.isArray(config.servicesBindings) ? config.servicesBindings : [];
    const current = Array.isArray(config.serviceBindings) ? config.serviceBindings : [];
    const currentAliases = new Set(current.filter(isObject).map((b) => b.alias));
    config.serviceBindings = [
      ...current,
      ...legacy.filter((b) => !isObject(b) || !currentAliases.has(b.alias)),
    ];
    delete config.servicesBindings;
  }

  if (Array.isArray(config.paths)) {
    config.paths = config.paths.map((route: unknown, index) => {
      // The Serverless API Gateway's schema allows `"auth": null`; it means no auth.
      if (isObject(route) && route.auth === null) route = { ...route, auth: false };
      if (!isObject(route) || !isObject(route.integration)) return route;
      const type = route.integration.type;
      const canonical = typeof type === 'string' ? INTEGRATION_TYPE_ALIASES[type] : undefined;
      if (canonical === undefined) return route;
      warnings.push(
        configWarning(
          `/paths/${index}/integration/type`,
          `deprecated type "${String(type)}": use "${canonical}"`,
        ),
      );
      return { ...route, integration: { ...route.integration, type: canonical } };
    });
  }
  return { config, warnings };
}
