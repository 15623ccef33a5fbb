import type { LogFields, Logger, LogLevel } from '../../observability/logger.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * One JSON line per event on the console: Workers Logs and `wrangler tail` parse JSON lines into
 * fields, and the console method keeps the level visible there.
 */
export function createConsoleLogger(level: LogLevel): Logger {
  const threshold = RANK[level];
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
    if (RANK[lvl] < threshold) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields });
    if (lvl === 'error') console.error(line);
    else if (lvl === 'warn') console.warn(line);
    else console.log(line);
  };
  return {
    level,
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

export function parseLogLevel(value: unknown): LogLevel {
  return typeof value === 'string' && value in RANK ? (value as LogLevel) : 'info';
}
