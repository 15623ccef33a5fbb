/**
 * Structured JSON logging. The core only sees this interface; adapters choose the sink.
 * Lines never carry tokens, Authorization/Cookie values or secrets (docs/SECURITY.md "Secrets"):
 * callers pass explicit fields, never whole requests.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  readonly level: LogLevel;
}

export const LOG_LEVEL_RANK: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 100,
};

/** `write` receives each line with its level, so a sink can route errors differently (Workers' console). */
export function createJsonLogger(
  level: LogLevel,
  write: (line: string, level: Exclude<LogLevel, 'silent'>) => void,
): Logger {
  const threshold = LOG_LEVEL_RANK[level];
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
    if (LOG_LEVEL_RANK[lvl] < threshold) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }), lvl);
  };
  return {
    level,
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

export const silentLogger: Logger = createJsonLogger('silent', () => undefined);

/** Query values that are credentials are redacted before a URL is logged. */
const REDACTED_QUERY_KEYS = new Set([
  'code',
  'token',
  'access_token',
  'id_token',
  'refresh_token',
  'api_key',
]);

/**
 * Adds a query parameter that carries a credential (an `api_key` authorizer's `query`,
 * docs/TRAFFIC.md) to the redacted ones, for every config of the process from then on.
 */
export function redactQueryParameter(name: string): void {
  REDACTED_QUERY_KEYS.add(name);
}

export function redactSearch(search: string): string {
  if (search.length <= 1) return search;
  const params = new URLSearchParams(search);
  let changed = false;
  for (const key of params.keys()) {
    if (REDACTED_QUERY_KEYS.has(key)) {
      params.set(key, 'REDACTED');
      changed = true;
    }
  }
  return changed ? `?${params.toString()}` : search;
}
