/**
 * `GATEHOUSE_STRICT=1` (or `true`): weak-secret warnings become errors (docs/CONFIG.md
 * "Semantic rules"). One reading of the variable for the Node CLI and the Worker alike.
 */
export function isStrictMode(env: Readonly<Record<string, unknown>>): boolean {
  return env.GATEHOUSE_STRICT === '1' || env.GATEHOUSE_STRICT === 'true';
}
