import { configError, pointerToken, type ConfigProblem } from './problems.js';

/**
 * Replaces every string that is exactly `$env.NAME`, `$secret.NAME` or `$secrets.NAME` with the
 * environment's value (docs/CONFIG.md "Loading, once"). An unset variable is a problem naming the JSON
 * pointer and the variable — never a silent empty string (docs/COMPAT.md row 3).
 */
const REFERENCE = /^\$(env|secrets?)\.([A-Za-z_][A-Za-z0-9_]*)$/;

export interface ResolveResult {
  readonly config: unknown;
  readonly problems: ConfigProblem[];
  /** Names of the variables the config referenced (hooks get only non-secret ones). */
  readonly referenced: ReadonlyMap<string, 'env' | 'secret'>;
}

export function resolveReferences(input: unknown, env: Readonly<Record<string, unknown>>): ResolveResult {
  const problems: ConfigProblem[] = [];
  const referenced = new Map<string, 'env' | 'secret'>();

  const visit = (value: unknown, pointer: string): unknown => {
    if (typeof value === 'string') {
      const match = REFERENCE.exec(value);
      if (!match) return value;
      const [, kind, name] = match as unknown as [string, string, string];
      // Once a name is used as a secret anywhere, it stays one: hooks and bindings only ever
      // receive variables that are referenced as $env and never as $secret.
      if (kind !== 'env' || referenced.get(name) !== 'secret')
        referenced.set(name, kind === 'env' ? 'env' : 'secret');
      const resolved = env[name];
      if (typeof resolved === 'string') return resolved;
      if (resolved !== undefined && resolved !== null && typeof resolved !== 'object')
        return String(resolved);
      problems.push(configError(pointer, `references ${value} but the variable ${name} is not set`));
      return value;
    }
    if (Array.isArray(value)) return value.map((item, i) => visit(item, `${pointer}/${i}`));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value))
        out[key] = visit(item, `${pointer}/${pointerToken(key)}`);
      return out;
    }
    return value;
  };

  return { config: visit(input, ''), problems, referenced };
}
