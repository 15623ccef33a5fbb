import type { ErrorCode } from './codes.js';

/**
 * An error the gateway answers with a catalogued response. `detail` is for the request's log
 * line only (expected vs actual values, upstream addresses, system errors) and never reaches
 * the client; see docs/SECURITY.md "Secrets".
 */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly detail: Record<string, unknown> | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(
    code: ErrorCode,
    options: { detail?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(code, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.detail = options.detail;
    this.headers = options.headers;
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}
