/** Reading `$request.jwt.CLAIM` from verified claims. */

export type Claims = Readonly<Record<string, unknown>>;

// Canonical array indices only: `roles.0`, never `roles.00`, `roles.-1` or `roles.length`.
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/**
 * Compiles the reader for one claim path, splitting it once.
 *
 * A top-level claim whose name is exactly PATH wins (claim names may contain dots, e.g.
 * `"org.id"`); otherwise PATH is split on `.` and walked through nested objects, and arrays by
 * index (docs/BEHAVIOUR.md: "dotted paths reach nested claims when no top-level claim has the literal
 * dotted name"). Only own properties are read, so `__proto__` or `constructor` never reach a
 * prototype.
 */
export function compileClaimReader(path: string): (claims: Claims | undefined) => unknown {
  const segments = path.split('.');
  const readTopLevel = (claims: Claims | undefined): unknown =>
    claims !== undefined && Object.hasOwn(claims, path) ? claims[path] : undefined;
  if (segments.length === 1) return readTopLevel;

  return (claims) => {
    if (claims === undefined) return undefined;
    if (Object.hasOwn(claims, path)) return claims[path];
    let current: unknown = claims;
    for (const segment of segments) {
      if (typeof current !== 'object' || current === null) return undefined;
      if (Array.isArray(current) && !ARRAY_INDEX.test(segment)) return undefined;
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
    return current;
  };
}

/** One-off form of {@link compileClaimReader} (for hooks and tests; compiled code reuses readers). */
export function readClaim(claims: Claims | undefined, path: string): unknown {
  return compileClaimReader(path)(claims);
}
