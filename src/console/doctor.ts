import { decodeJwt, decodeProtectedHeader } from 'jose';
import { addScopeCheck } from '../auth/scope-check.js';
import type { Authorizer } from '../auth/types.js';
import { publicCode } from '../errors/codes.js';
import { isGatewayError } from '../errors/gateway-error.js';
import type { TokenReport } from '../auth/types.js';
import type { CompiledGateway } from '../assembly/compile-gateway.js';
import { routeAuthorizerName } from '../config/describe-route.js';
import type { RouteConfig } from '../config/schema.js';
import { whichRoute, type WhichRoute } from './which-route.js';

/**
 * The console's 401 doctor (docs/CONSOLE.md): the check-by-check report of `gatehouse token
 * check`, made by the running gateway's own authorizer (`Authorizer.explain`, the real
 * verification laid out stage by stage) plus the route's scope check. The token is an argument
 * only: it is not kept, logged, or put in the answer.
 */
export interface DoctorRequest {
  readonly token: string;
  readonly method: string;
  readonly path: string;
}

export interface DoctorAnswer {
  readonly route: WhichRoute;
  /** Why no token check was made: no route, or a route without auth. */
  readonly note?: string;
  readonly authorizer?: { readonly name: string; readonly type: string };
  readonly scopes?: readonly string[];
  readonly report?: TokenReport;
  /** The public status a request with this token would get on this route. */
  readonly verdict?: { readonly accepted: boolean; readonly status: number; readonly code?: string };
  /** Decoded without verification, for reading: never trusted. */
  readonly header?: Record<string, unknown>;
  readonly payload?: Record<string, unknown>;
  /** Seconds until `exp` (negative when expired), when the token has one. */
  readonly expiresInSeconds?: number;
}

export async function diagnose(
  compiled: CompiledGateway,
  request: DoctorRequest,
  nowMs: number,
): Promise<DoctorAnswer> {
  const token = request.token.trim().replace(/^bearer\s+/i, '');
  const route = whichRoute(compiled, request.method, request.path);
  const decoded = decode(token, nowMs);
  if (!route.winner) return { route, note: 'no route serves this request', ...decoded };
  const config = compiled.config.paths[route.winner.index] as RouteConfig;
  const name = routeAuthorizerName(config);
  if (name === undefined) {
    return {
      route,
      note: `route ${route.winner.method} ${route.winner.path} has no "auth": every request passes, with or without a token`,
      ...decoded,
    };
  }
  const authorizer = compiled.authorizers.get(name);
  if (!authorizer) return { route, note: `authorizer "${name}" is not defined`, ...decoded };
  const scopes = config.scopes ?? [];
  const report = token === '' ? await missingTokenReport(authorizer) : await authorizer.explain(token);
  addScopeCheck(report, scopes);
  const status = report.ok ? 200 : report.code === 'ERR_INSUFFICIENT_SCOPE' ? 403 : 401;
  return {
    route,
    authorizer: { name, type: authorizer.type },
    scopes,
    report,
    verdict: { accepted: report.ok, status, ...(report.code ? { code: report.code } : {}) },
    ...decoded,
  };
}

/**
 * No token pasted: what a request without one gets, from the authorizer's own request path
 * (the bearer extraction that refuses it), so the doctor explains a "no token" 401 too.
 */
async function missingTokenReport(authorizer: Authorizer): Promise<TokenReport> {
  try {
    await authorizer.authenticate(new Headers());
  } catch (error) {
    if (isGatewayError(error)) {
      const detail = error.detail ?? {};
      return {
        ok: false,
        checks: [
          {
            name: typeof detail.check === 'string' ? detail.check : 'authorization',
            ok: false,
            message: String(detail.message ?? 'no token'),
          },
        ],
        code: publicCode(error.code),
        hint: String(detail.hint ?? 'send the token in the header "Authorization: Bearer <token>"'),
      };
    }
  }
  return { ok: false, checks: [{ name: 'authorization', ok: false, message: 'no token' }] };
}

function decode(token: string, nowMs: number): Pick<DoctorAnswer, 'header' | 'payload' | 'expiresInSeconds'> {
  const out: {
    header?: Record<string, unknown>;
    payload?: Record<string, unknown>;
    expiresInSeconds?: number;
  } = {};
  try {
    out.header = decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    // Not decodable: the report's format check says why.
  }
  try {
    const payload = decodeJwt(token);
    out.payload = payload as Record<string, unknown>;
    if (typeof payload.exp === 'number') out.expiresInSeconds = Math.round(payload.exp - nowMs / 1000);
  } catch {
    // As above.
  }
  return out;
}
