import { parseArgs } from 'node:util';
import { resolveConfigSource } from '../adapters/node/config-source.js';
import { compileFromSource } from '../adapters/node/runtime.js';
import { ConfigInvalidError, formatProblem } from '../config/problems.js';
import type { RouteConfig } from '../config/schema.js';
import { isStrict, loadEnvironment } from './env.js';
import type { CliIo } from './io.js';
import { routedPath } from './request-path.js';
import { offlinePlatform } from './offline-platform.js';

/**
 * `gatehouse routes [--config FILE] [METHOD PATH]`: the route table in precedence order, or,
 * with METHOD PATH, which route wins for that request and why the others lose.
 */
export async function runRoutes(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string' }, 'env-file': { type: 'string' } },
  });
  const env = loadEnvironment(values['env-file']);
  let compiled;
  try {
    compiled = await compileFromSource(
      resolveConfigSource(values.config, env),
      offlinePlatform(env),
      isStrict(env),
    );
  } catch (error) {
    if (!(error instanceof ConfigInvalidError)) throw error;
    for (const problem of error.problems) io.stderr(formatProblem(problem));
    return 1;
  }
  const { router, config } = compiled;

  if (positionals.length === 0) {
    const rows = router.list().map((entry) => {
      const route = config.paths[entry.value.index] as RouteConfig;
      return [entry.method, entry.path, describeTarget(route), describeAuth(route), `#${entry.value.index}`];
    });
    io.stdout(formatTable([['METHOD', 'PATH', 'TARGET', 'AUTH', 'INDEX'], ...rows]));
    return 0;
  }
  const [method, rawPath] = positionals;
  if (!method || !rawPath || positionals.length > 2) {
    io.stderr('usage: gatehouse routes [--config FILE] [METHOD PATH]');
    return 2;
  }
  const path = routedPath(rawPath);
  if (path === undefined) {
    io.stdout(`${method.toUpperCase()} ${rawPath}: 400 ERR_BAD_REQUEST (the path is malformed)`);
    return 1;
  }
  const { winner, lines } = router.explain(method.toUpperCase(), path);
  for (const line of lines) io.stdout(line);
  return winner ? 0 : 1;
}

function describeTarget(route: RouteConfig): string {
  const integration = route.integration;
  if (!integration) return `static ${route.status ?? 200}`;
  if (integration.type === 'http_proxy') return `http_proxy → ${integration.server ?? '?'}`;
  return integration.binding ? `${integration.type} → ${integration.binding}` : integration.type;
}

function describeAuth(route: RouteConfig): string {
  if (route.auth === undefined || route.auth === false) return '-';
  const name = route.auth === true ? 'authorizer' : route.auth;
  return route.scopes?.length ? `${name} [${route.scopes.join(' ')}]` : name;
}

function formatTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, col) => cell.padEnd(widths[col] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
