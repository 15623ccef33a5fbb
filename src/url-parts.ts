/**
 * Splits an absolute request URL into authority, pathname and search without `new URL`
 * (runtimes hand the gateway an already-parsed, absolute URL; re-parsing it per request is
 * wasted work). Fragments never reach a server, so they are not handled.
 */
export interface UrlParts {
  readonly host: string;
  readonly pathname: string;
  readonly search: string;
}

export function splitRequestUrl(url: string): UrlParts {
  const authorityStart = url.indexOf('//') + 2;
  let pathStart = url.indexOf('/', authorityStart);
  const queryStart = url.indexOf('?', authorityStart);
  if (pathStart === -1 || (queryStart !== -1 && queryStart < pathStart)) pathStart = -1;
  const host = url.slice(
    authorityStart,
    pathStart !== -1 ? pathStart : queryStart !== -1 ? queryStart : url.length,
  );
  if (pathStart === -1)
    return { host, pathname: '/', search: queryStart === -1 ? '' : url.slice(queryStart) };
  return queryStart === -1
    ? { host, pathname: url.slice(pathStart), search: '' }
    : { host, pathname: url.slice(pathStart, queryStart), search: url.slice(queryStart) };
}
