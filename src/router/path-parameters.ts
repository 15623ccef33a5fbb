import type { RouteMatch, Router } from './router.js';

/**
 * How `;` is treated (docs/BEHAVIOUR.md "Hostile input"). For the gateway a `;` is an ordinary
 * character of a segment: routes match it literally and the upstream receives it unchanged. But
 * servlet containers (Tomcat, Jetty, Spring) read `;…` up to the next `/` as path parameters and
 * drop them before mapping the path, so `/admin;x/secret` is `/admin/secret` to them. A request
 * is therefore refused when removing its path parameters would choose a different route (or turn
 * a match into none, or the reverse): what the router authorized must be what such an upstream
 * serves. Dot segments before a `;` are refused earlier, by canonicalizePath.
 */
export function pathParametersChangeRoute<T>(
  router: Router<T>,
  method: string,
  path: string,
  match: RouteMatch<T>,
): boolean {
  if (!path.includes(';')) return false;
  const other = router.match(method, withoutPathParameters(path));
  if (match.kind === 'found') return other.kind !== 'found' || other.value !== match.value;
  return other.kind === 'found';
}

/** `/a;x=1/b;y/c` → `/a/b/c`. */
export function withoutPathParameters(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      const semicolon = segment.indexOf(';');
      return semicolon === -1 ? segment : segment.slice(0, semicolon);
    })
    .join('/');
}
