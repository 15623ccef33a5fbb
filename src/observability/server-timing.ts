/**
 * The `Server-Timing` header (https://www.w3.org/TR/server-timing/) of `gateway.server_timing:
 * true`: how long authorization and the upstream took, and the whole request inside the
 * gateway, in milliseconds, for a browser's network panel. Only metrics that ran are listed.
 */
export function serverTimingHeader(log: Readonly<Record<string, unknown>>, totalMs: number): string {
  let header = '';
  if (typeof log.authMs === 'number') header += `auth;dur=${log.authMs}, `;
  if (typeof log.upstreamMs === 'number') header += `upstream;dur=${log.upstreamMs}, `;
  return `${header}total;dur=${Math.round(totalMs * 100) / 100}`;
}
