/**
 * An adapter may hand the gateway a lazy stand-in for the Web Request (Node's listener,
 * src/adapters/node/node-request.ts): it answers `method`, `url` and `instanceof Request`
 * itself and builds the real one on demand. Code outside the gateway (services, hooks) gets the
 * real one, so `new Request(request, …)` and every brand check work there as anywhere.
 */
export const STANDARD_REQUEST = Symbol('gatehouse.standardRequest');

export function standardRequest(request: Request): Request {
  const lazy = request as Request & { [STANDARD_REQUEST]?: () => Request };
  return lazy[STANDARD_REQUEST] ? lazy[STANDARD_REQUEST]() : request;
}
