import { createJsonLogger, LOG_LEVEL_RANK, type Logger, type LogLevel } from '../../observability/logger.js';

/**
 * One JSON line per event on the console: Workers Logs and `wrangler tail` parse JSON lines into
 * fields, and the console method keeps the level visible there.
 */
export function createConsoleLogger(level: LogLevel): Logger {
  return createJsonLogger(level, (line, lvl) => {
    if (lvl === 'error') console.error(line);
    else if (lvl === 'warn') console.warn(line);
    else console.log(line);
  });
}

export function parseLogLevel(value: unknown): LogLevel {
  return typeof value === 'string' && value in LOG_LEVEL_RANK ? (value as LogLevel) : 'info';
}
