/**
 * A config problem found before anything serves: where (RFC 6901 JSON pointer into the file),
 * what, and whether it refuses the config. `gatehouse validate` prints one line per problem.
 */
export interface ConfigProblem {
  readonly pointer: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
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
