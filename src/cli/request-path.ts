import { canonicalizePath } from '../router/canonical-path.js';

/**
 * The path a request written on the command line (`GET /items/42?x=1`) would be routed by: the
 * query cut off, then the gateway's canonical spelling. Undefined when the gateway would refuse
 * the path with 400. Shared by `gatehouse routes METHOD PATH` and `token check --route`.
 */
export function routedPath(rawPath: string): string | undefined {
  const queryStart = rawPath.indexOf('?');
  try {
    return canonicalizePath(queryStart === -1 ? rawPath : rawPath.slice(0, queryStart));
  } catch {
    return undefined;
  }
}
