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
  /** What the answer takes from the provider, where the row allows it (see ProviderVariation). */
  readonly variation: ProviderVariation | undefined;
  /**
   * `Set-Cookie` lines the answer carries, each its own header (`headers` holds one value per
   * name): a flow error that clears a login transaction or a session split over several cookies.
   */
  readonly setCookies: readonly string[] | undefined;

  constructor(
    code: ErrorCode,
    options: {
      detail?: Record<string, unknown>;
      headers?: Record<string, string>;
      cause?: unknown;
      variation?: ProviderVariation;
      setCookies?: readonly string[];
    } = {},
  ) {
    super(code, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.detail = options.detail;
    this.headers = options.headers;
    this.variation = options.variation;
    this.setCookies = options.setCookies;
  }
}

/**
 * The parts of an identity flow's error answer that come from the provider, each used only where
 * the catalogue row declares it (`passesProviderStatus`, `passesProviderMessage`, `fields`).
 */
export interface ProviderVariation {
  readonly status?: number;
  readonly message?: string;
  readonly fields?: Readonly<Record<string, string>>;
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}
