import { parsePathPattern, patternShape } from './pattern.js';

/**
 * For config validation (docs/CONFIG.md: two routes with the same method and the same path pattern
 * are refused, since the second could never win). Parameter names do not count: `/a/{x}` and
 * `/a/{y}` match the same paths. Literals compare in canonical spelling (`%7E` is `~`).
 * Patterns that do not parse are skipped: their own error is reported elsewhere.
 */
export function findDuplicateRoutes(
  routes: readonly { method: string; path: string }[],
): Array<{ first: number; duplicate: number }> {
  const firstByKey = new Map<string, number>();
  const duplicates: Array<{ first: number; duplicate: number }> = [];
  routes.forEach((route, index) => {
    const parsed = parsePathPattern(route.path);
    if (!parsed.ok) return;
    const key = `${route.method} ${patternShape(parsed.pattern)}`;
    const first = firstByKey.get(key);
    if (first === undefined) firstByKey.set(key, index);
    else duplicates.push({ first, duplicate: index });
  });
  return duplicates;
}
