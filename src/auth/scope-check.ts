import { isGatewayError } from '../errors/gateway-error.js';
import { requireScopes } from './scopes.js';
import type { TokenReport } from './types.js';

/**
 * Adds the route's scope check to an accepted token's report, exactly as the request pipeline
 * decides it (requireScopes). Shared by `gatehouse token check` and the console's 401 doctor.
 */
export function addScopeCheck(report: TokenReport, scopes: readonly string[]): void {
  if (!report.ok || scopes.length === 0) return;
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
