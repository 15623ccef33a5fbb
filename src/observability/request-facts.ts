import type { AccessLogLine } from './access-log.js';

/**
 * What metrics (Prometheus on Node, Analytics Engine on Workers) derive from one access-log
 * line, in one place so both runtimes count alike. docs/OBSERVABILITY.md defines each value.
 */

/** The `route` label of a request that matched no route (404, 405, CORS preflight, bad request). */
export const NO_ROUTE = '(none)';

/** `2xx`, `4xx`, … */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/** The public error code of a catalogue key (two auth rows share `AUTH_ERROR`; docs/ERRORS.md). */
export function publicErrorCode(code: string): string {
  return code === 'AUTH_VERIFICATION_FAILED' ? 'AUTH_ERROR' : code;
}

/**
 * The authorizer and public code of a request its route's authorizer refused (401 table rows
 * and 403 `ERR_INSUFFICIENT_SCOPE`), else undefined. An upstream's own 401 carries no code.
 */
export function authFailure(line: AccessLogLine): { authorizer: string; code: string } | undefined {
  const { authorizer, code, status } = line;
  if (authorizer === undefined || typeof code !== 'string') return undefined;
  if (status !== 401 && code !== 'ERR_INSUFFICIENT_SCOPE') return undefined;
  return { authorizer, code: publicErrorCode(code) };
}

/** The auth outcome for a per-request record: `ok`, a public error code, or `none` (no auth on the route). */
export function authOutcome(line: AccessLogLine): string {
  if (line.authorizer === undefined) return 'none';
  return authFailure(line)?.code ?? (line.auth === 'ok' ? 'ok' : 'none');
}

export type UpstreamOutcome = 'response' | 'timeout' | 'unavailable' | 'aborted';

/** How the upstream call of an http_proxy route ended; undefined when none was made. */
export function upstreamOutcome(line: AccessLogLine): UpstreamOutcome | undefined {
  if (line.upstream === undefined || line.upstreamMs === undefined) return undefined;
  if (line.upstreamStatus !== undefined) return 'response';
  if (line.code === 'ERR_UPSTREAM_TIMEOUT') return 'timeout';
  if (line.code === 'ERR_UPSTREAM_UNAVAILABLE') return 'unavailable';
  // The client left, or the request body was refused (413) while uploading.
  return 'aborted';
}
