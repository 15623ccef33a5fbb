import { configError, type ConfigProblem } from '../../config/problems.js';
import type { AuthorizerConfig, RouteConfig, SessionConfig } from '../../config/schema.js';
import { parseReturnToEntry } from '../../session/return-to.js';
import { routeSession, sealingKey } from '../../session/settings.js';

/**
 * Rules for `oidc_*` routes (docs/CONFIG.md), run with the other identity-flow rules (which
 * check the authorizer fields each flow's definition names): cookies have a key to be sealed
 * with, and the `session` object (only on `oidc_login`) has a valid allow-list.
 */
export function oidcFlowProblems(
  route: RouteConfig,
  at: string,
  def: AuthorizerConfig,
  /** The `session` of the authorizer's login route, wherever that is. */
  loginSession: SessionConfig | undefined,
): ConfigProblem[] {
  const type = route.integration?.type ?? '';
  const problems: ConfigProblem[] = [];
  const session = routeSession(route);
  const sessionAt = route.integration?.session ? `${at}/integration/session` : `${at}/session`;
  if ((type === 'oidc_login' || type === 'oidc_callback') && sealingKey(def, loginSession) === undefined) {
    problems.push(
      configError(
        `${at}/integration`,
        `${type} seals its cookies with a key derived from client_secret; this public client needs "session": {"secret": …} on its oidc_login route`,
      ),
    );
  }
  if (session) {
    session.return_to.forEach((entry, i) => {
      const parsed = parseReturnToEntry(entry);
      if (typeof parsed === 'string') problems.push(configError(`${sessionAt}/return_to/${i}`, parsed));
    });
    if (session.secret !== undefined && new TextEncoder().encode(session.secret).length < 32) {
      problems.push(configError(`${sessionAt}/secret`, 'use at least 32 random bytes'));
    }
    if (
      session.idle_ttl_s !== undefined &&
      session.ttl_s !== undefined &&
      session.idle_ttl_s > session.ttl_s
    ) {
      problems.push(configError(`${sessionAt}/idle_ttl_s`, 'is longer than ttl_s'));
    }
  }
  return problems;
}

/** `session` belongs on the login route only: the other flows find it there. */
export function misplacedSession(route: RouteConfig, at: string): ConfigProblem[] {
  if (route.integration?.type === 'oidc_login') {
    return route.session && route.integration.session
      ? [configError(`${at}/session`, 'set session either on the route or in its integration, not both')]
      : [];
  }
  const misplaced = route.integration?.session
    ? `${at}/integration/session`
    : route.session
      ? `${at}/session`
      : undefined;
  return misplaced ? [configError(misplaced, 'session applies to oidc_login routes only')] : [];
}
