/**
 * A config problem found before anything serves: where (RFC 6901 JSON pointer into the file),
 * what, and whether it refuses the config. `gatehouse validate` prints one line per problem.
 */
export interface ConfigProblem {
  readonly pointer: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/**
 * What checking one config part gives: its compiled value, and the problems found on the way.
 * `value` is undefined when a problem is an error: a part with errors is never compiled, so no
 * later step needs a second check or a "validation guarantees this" guard.
 */
export interface Checked<T> {
  readonly value: T | undefined;
  readonly problems: readonly ConfigProblem[];
}

/** The value when `problems` holds no error. */
export function checked<T>(problems: readonly ConfigProblem[], compile: () => T): Checked<T> {
  return { value: problems.some((p) => p.severity === 'error') ? undefined : compile(), problems };
}

export function configError(pointer: string, message: string): ConfigProblem {
  return { pointer, message, severity: 'error' };
}

export function configWarning(pointer: string, message: string): ConfigProblem {
  return { pointer, message, severity: 'warning' };
}

/** Escapes one JSON-pointer reference token (RFC 6901 §4). */
export function pointerToken(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function formatProblem(problem: ConfigProblem): string {
  const prefix = problem.severity === 'warning' ? 'warning: ' : '';
  return `${prefix}${problem.pointer || '/'}: ${problem.message}`;
}

/** Thrown when a config cannot be compiled; carries every problem found. */
export class ConfigInvalidError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(`Invalid configuration:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'ConfigInvalidError';
    this.problems = problems;
  }
}
