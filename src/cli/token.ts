import { parseArgs } from 'node:util';
import { SignJWT, type JWTPayload } from 'jose';
import { isHmacAlgorithm } from '../auth/algorithms.js';
import { requireScopes } from '../auth/scopes.js';
import type { Authorizer, TokenReport } from '../auth/types.js';
import type { CompiledGateway } from '../assembly/compile-gateway.js';
import { ConfigInvalidError, formatProblem } from '../config/problems.js';
import type { AuthorizerConfig, RouteConfig } from '../config/schema.js';
import { isGatewayError } from '../errors/gateway-error.js';
import type { Platform } from '../platform.js';
import { routedPath } from './request-path.js';
import { EnvFileError } from './env.js';

/**
 * `gatehouse token mint` and `gatehouse token check` (docs/BEHAVIOUR.md "The CLI"): mint a token
 * the configured HMAC authorizer accepts (stdout carries only the token, so `TOKEN=$(…)` works),
 * and explain offline, check by check, why a route would accept or refuse a token.
 * Both work on the compiled gateway of the one config lifecycle: `--route` is decided by the
 * same router that serves requests (and that `gatehouse routes` explains), and tokens are checked
 * by the same authorizers.
 * Exit codes: mint 0 / 2 (usage or config); check 0 accepted, 1 rejected, 2 usage or config.
 */

export interface TokenCommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /**
   * Loads and compiles the config at `path` (undefined: the usual sources, SAG_API_CONFIG_JSON
   * then ./api-config.json) with `--env-file` joining the environment; throws ConfigInvalidError.
   */
  loadGateway: (path: string | undefined, envFile: string | undefined) => Promise<CompiledGateway>;
  platform: Pick<Platform, 'now'>;
}

const USAGE = `usage:
  gatehouse token mint  [--config FILE] [--env-file FILE] [--sub S] [--claims JSON] [--expires-in 1h] [--authorizer NAME]
  gatehouse token check [--config FILE] [--env-file FILE] --token T [--route "METHOD PATH"] [--authorizer NAME]`;

/** A usage or configuration problem: message on stderr, exit 2. */
class UsageError extends Error {}

export async function runTokenCommand(argv: string[], io: TokenCommandIo): Promise<number> {
  const [sub, ...rest] = argv[0] === 'token' ? argv.slice(1) : argv;
  try {
    if (sub === 'mint') return await mint(rest, io);
    if (sub === 'check') return await check(rest, io);
    io.stderr(`${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}\n${USAGE}\n`);
    return 2;
  } catch (error) {
    if (error instanceof ConfigInvalidError) {
      for (const problem of error.problems) io.stderr(`${formatProblem(problem)}\n`);
    } else {
      io.stderr(`gatehouse token ${sub ?? ''}: ${error instanceof Error ? error.message : String(error)}\n`);
      if (!(error instanceof UsageError) && !(error instanceof EnvFileError)) io.stderr(`${USAGE}\n`);
    }
    return 2;
  }
}

async function mint(argv: string[], io: TokenCommandIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      config: { type: 'string' },
      'env-file': { type: 'string' },
      sub: { type: 'string' },
      claims: { type: 'string' },
      'expires-in': { type: 'string' },
      authorizer: { type: 'string' },
    },
  });
  const compiled = await io.loadGateway(values.config, values['env-file']);
  const { name, def, authorizer } = pickAuthorizer(compiled, values.authorizer);
  const { secret, alg } = hmacSigner(name, def);
  const extra = parseClaims(values.claims);
  const subject = values.sub ?? (typeof extra.sub === 'string' ? extra.sub : undefined);
  if (def.type === 'supabase' && subject === undefined) {
    throw new UsageError(`authorizer "${name}" (supabase) requires "sub" in user tokens: pass --sub USER_ID`);
  }
  const now = Math.floor(io.platform.now() / 1000);
  const payload: JWTPayload = {
    ...(def.issuer === undefined ? {} : { iss: typeof def.issuer === 'string' ? def.issuer : def.issuer[0] }),
    ...(def.audience === undefined ? {} : { aud: def.audience }),
    ...extra,
    ...(subject === undefined ? {} : { sub: subject }),
    iat: typeof extra.iat === 'number' ? extra.iat : now,
    exp: typeof extra.exp === 'number' ? extra.exp : now + parseDuration(values['expires-in'] ?? '1h'),
  };
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg, typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));

  // A token the authorizer would refuse is still printed (expired tokens are useful in tests),
  // but stderr says so, so nobody debugs a 401 that mint could have explained.
  const report = await authorizer.explain(token);
  if (subject === undefined) {
    io.stderr(
      'note: the token has no subject ("sub"): $request.jwt.sub maps to nothing; pass --sub USER_ID to set one\n',
    );
  }
  if (!report.ok) {
    io.stderr(`warning: authorizer "${name}" would refuse this token (${report.code ?? 'rejected'}):\n`);
    for (const c of report.checks.filter((c) => !c.ok)) io.stderr(`  ${c.name}: ${c.message}\n`);
  }
  io.stdout(`${token}\n`);
  return 0;
}

async function check(argv: string[], io: TokenCommandIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      config: { type: 'string' },
      'env-file': { type: 'string' },
      token: { type: 'string' },
      route: { type: 'string' },
      authorizer: { type: 'string' },
    },
  });
  if (!values.token) throw new UsageError('--token is required');
  const token = values.token.trim().replace(/^bearer\s+/i, '');
  const compiled = await io.loadGateway(values.config, values['env-file']);

  let scopes: readonly string[] = [];
  let requested = values.authorizer;
  let routeText = '';
  if (values.route !== undefined) {
    const route = findRoute(compiled, values.route);
    routeText = ` for route ${route.method} ${route.path}`;
    if (route.auth === undefined || route.auth === false) {
      io.stdout(
        `route ${route.method} ${route.path} has no "auth": every request passes, with or without a token\n`,
      );
      return 0;
    }
    requested = route.auth === true ? 'default' : route.auth;
    scopes = route.scopes ?? [];
  }
  const { name, def, authorizer } = pickAuthorizer(compiled, requested);
  const report = await authorizer.explain(token);
  if (report.ok && scopes.length > 0) addScopeCheck(report, scopes);

  io.stdout(renderReport(report, `authorizer "${name}" (${def.type})${routeText}`));
  return report.ok ? 0 : 1;
}

function addScopeCheck(report: TokenReport, scopes: readonly string[]): void {
  try {
    requireScopes(report.claims ?? {}, scopes);
    report.checks.push({ name: 'scope', ok: true, message: `carries ${scopes.join(', ')}` });
  } catch (error) {
    const detail = isGatewayError(error) ? error.detail : undefined;
    report.ok = false;
    report.code = 'ERR_INSUFFICIENT_SCOPE';
    report.checks.push({ name: 'scope', ok: false, message: String(detail?.message ?? 'missing scopes') });
    report.hint = String(detail?.hint ?? 'request a token with the route scopes');
  }
}

function renderReport(report: TokenReport, subject: string): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = [`token check against ${subject}`];
  for (const c of report.checks)
    lines.push(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.message}`);
  if (report.claims)
    lines.push(`claims${report.ok ? '' : ' (as sent, not trusted)'}: ${JSON.stringify(report.claims)}`);
  if (report.ok) {
    lines.push('verdict: ACCEPTED');
  } else {
    const status = report.code === 'ERR_INSUFFICIENT_SCOPE' ? 403 : 401;
    lines.push(`verdict: REJECTED with ${status} ${report.code ?? 'AUTH_ERROR'}`);
    if (report.hint) lines.push(`likely fix: ${report.hint}`);
  }
  return `${lines.join('\n')}\n`;
}

interface PickedAuthorizer {
  readonly name: string;
  readonly def: AuthorizerConfig;
  readonly authorizer: Authorizer;
}

function pickAuthorizer(compiled: CompiledGateway, requested: string | undefined): PickedAuthorizer {
  const { name, def } = pickDefinition(compiled.config, requested);
  const authorizer = compiled.authorizers.get(name);
  if (!authorizer) throw new UsageError(`authorizer "${name}" is not compiled`);
  return { name, def, authorizer };
}

function pickDefinition(
  config: CompiledGateway['config'],
  requested: string | undefined,
): { name: string; def: AuthorizerConfig } {
  const named = config.authorizers ?? {};
  const known = [...(config.authorizer ? ['default'] : []), ...Object.keys(named)];
  if (requested !== undefined) {
    const def =
      requested === 'default'
        ? config.authorizer
        : Object.hasOwn(named, requested)
          ? named[requested]
          : undefined;
    if (!def)
      throw new UsageError(
        `no authorizer "${requested}" in the config (known: ${known.join(', ') || 'none'})`,
      );
    return { name: requested, def };
  }
  if (config.authorizer) return { name: 'default', def: config.authorizer };
  const [only, ...others] = Object.entries(named);
  if (!only) throw new UsageError('the config has no "authorizer" or "authorizers"');
  if (others.length > 0)
    throw new UsageError(`several authorizers: choose one with --authorizer (${known.join(', ')})`);
  return { name: only[0], def: only[1] };
}

function hmacSigner(name: string, def: AuthorizerConfig): { secret: string; alg: string } {
  const secret = def.type === 'jwt' ? def.secret : def.type === 'supabase' ? def.jwt_secret : undefined;
  const algorithms =
    def.algorithms ?? (def.algorithm ? [def.algorithm] : secret !== undefined ? ['HS256'] : []);
  const alg = algorithms.find(isHmacAlgorithm);
  if (secret === undefined || alg === undefined) {
    throw new UsageError(
      `authorizer "${name}" (${def.type}) does not verify with an HMAC secret (algorithms: ${algorithms.join(', ') || 'RS256'}); ` +
        'token mint can only sign with the HMAC secret of a jwt or supabase authorizer — get tokens for it from its identity provider',
    );
  }
  return { secret, alg };
}

function parseClaims(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('--claims must be a JSON object, e.g. \'{"role":"admin"}\'');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError('--claims must be a JSON object, e.g. \'{"role":"admin"}\'');
  }
  return value as Record<string, unknown>;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90", "90s", "15m", "1h", "2d"; a leading "-" (`--expires-in=-5m`) mints an already expired token. */
function parseDuration(text: string): number {
  const match = /^(-)?(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new UsageError(`--expires-in "${text}" is not a duration like 90s, 15m, 1h or 2d`);
  const seconds = Number(match[2]) * (UNIT_SECONDS[match[3] || 's'] ?? 1);
  return match[1] ? -seconds : seconds;
}

/**
 * The route a "METHOD PATH" names: a route whose pattern is exactly PATH (`GET /orders/{id}`),
 * else the route the compiled router picks for that request — the same decision a request and
 * `gatehouse routes METHOD PATH` get.
 */
function findRoute(compiled: CompiledGateway, text: string): RouteConfig {
  const match = /^\s*([A-Za-z]+)\s+(\/\S*)\s*$/.exec(text);
  if (!match) throw new UsageError(`--route "${text}" must look like "GET /orders/{id}" or "GET /orders/42"`);
  const method = (match[1] ?? '').toUpperCase();
  const rawPath = match[2] ?? '/';
  const routes = compiled.config.paths;
  const named =
    routes.find((r) => r.path === rawPath && r.method === method) ??
    routes.find(
      (r) => r.path === rawPath && (r.method === 'ANY' || (method === 'HEAD' && r.method === 'GET')),
    );
  if (named) return named;
  const path = routedPath(rawPath);
  if (path === undefined) {
    throw new UsageError(`--route "${text}": the path is malformed (the gateway answers 400)`);
  }
  const found = compiled.router.match(method, path);
  if (found.kind === 'not-found') throw new UsageError(`no route matches ${method} ${path}`);
  if (found.kind === 'method-not-allowed') {
    throw new UsageError(`no route serves ${method} ${path} (Allow: ${found.allow.join(', ')})`);
  }
  const route = routes[found.value.index];
  if (!route) throw new UsageError(`no route matches ${method} ${path}`);
  return route;
}
