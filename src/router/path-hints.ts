/**
 * Path styles of other routers that this format reads as literal text (docs/CONFIG.md
 * "Routes"): Express's `/users/:id` and glob-style `/files/*` match only the literal segments
 * `:id` and `*`. The Serverless API Gateway does the same, so they stay valid; the warning
 * points at the spelling that was probably meant.
 */
export function pathStyleHints(path: string): string[] {
  const hints: string[] = [];
  for (const segment of path.split('/')) {
    const parameter = /^:([A-Za-z_][A-Za-z0-9_]*)$/.exec(segment);
    if (parameter) {
      hints.push(
        `"${segment}" is a literal segment here; for a path parameter write "{${parameter[1] ?? ''}}"`,
      );
    } else if (segment === '*' || segment === '**') {
      hints.push(
        `"${segment}" is a literal segment here; for a wildcard (the rest of the path) write "{.+}"`,
      );
    }
  }
  return hints;
}
