import { GatewayError } from '../errors/gateway-error.js';
import { ANSWER_STATUS, isNullBodyStatus } from '../errors/statuses.js';

/**
 * Turns what a `service` module or a `service_binding` function returned into the client's
 * response, in the Serverless API Gateway's envelope (docs/CONFIG.md "Services, service
 * bindings and hooks", the results table):
 *
 * - a `Response` passes through as it is;
 * - `null` → 200 with an empty body;
 * - a string → 200, the string as it is, `Content-Type: application/json`;
 * - an object or an array → JSON `{"status","message","data","error"}`:
 *   - HTTP status is `statusCode` when given, else 500 when `error` is truthy, else 200;
 *   - `status` is `"error"` when `error` is truthy, else `"success"`;
 *   - `message` is the object's `message` when truthy, else "An error occurred." /
 *     "Operation completed successfully.";
 *   - `data` (left out on error) is the object without `statusCode`, `message` and `error`
 *     (an array is its own data);
 *   - `error` is the object's `error`, left out when falsy;
 * - anything else (`undefined`, a number, a boolean, a function…) → 400 with an empty body.
 *
 * A `statusCode` that is not an integer 200–599, or a body that cannot be JSON (a circular
 * object, a BigInt), is a fault of the module: 500 `ERR_INTERNAL`, the reason in the log line.
 */
const JSON_HEADERS = { 'content-type': 'application/json' } as const;
const ENVELOPE_FIELDS = new Set(['statusCode', 'message', 'error']);
const SUCCESS_MESSAGE = 'Operation completed successfully.';
const ERROR_MESSAGE = 'An error occurred.';

export function resultToResponse(value: unknown): Response {
  const response = asResponse(value);
  if (response) return response;
  if (value === null) return new Response(null, { status: ANSWER_STATUS.serviceResultOk });
  if (typeof value === 'string')
    return new Response(value, { status: ANSWER_STATUS.serviceResultOk, headers: JSON_HEADERS });
  if (typeof value === 'object') return wrapObject(value);
  return new Response(null, { status: ANSWER_STATUS.serviceResultUnusable });
}

function wrapObject(result: object): Response {
  const fields = result as Record<string, unknown>;
  const isArray = Array.isArray(result);
  const error = isArray ? undefined : fields.error;
  const isError = Boolean(error);
  const status = statusOf(
    isArray ? undefined : fields.statusCode,
    isError ? ANSWER_STATUS.serviceResultError : ANSWER_STATUS.serviceResultOk,
  );
  const message = (isArray ? undefined : fields.message) || (isError ? ERROR_MESSAGE : SUCCESS_MESSAGE);
  const body: Record<string, unknown> = { status: isError ? 'error' : 'success', message };
  if (!isError) body.data = isArray ? result : dataOf(fields);
  if (isError) body.error = error;
  return envelope(status, body);
}

function statusOf(statusCode: unknown, fallback: number): number {
  if (statusCode === undefined || statusCode === null) return fallback;
  if (
    typeof statusCode === 'number' &&
    Number.isInteger(statusCode) &&
    statusCode >= 200 &&
    statusCode <= 599
  ) {
    return statusCode;
  }
  throw new GatewayError('ERR_INTERNAL', {
    detail: { reason: 'invalid statusCode in result', statusCode: String(statusCode) },
  });
}

function dataOf(fields: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    if (!ENVELOPE_FIELDS.has(key)) data[key] = fields[key];
  }
  return data;
}

function envelope(status: number, body: Record<string, unknown>): Response {
  let text: string;
  try {
    text = JSON.stringify(body);
  } catch (error) {
    throw new GatewayError('ERR_INTERNAL', {
      detail: { reason: 'result is not JSON-serializable', message: (error as Error).message },
      cause: error,
    });
  }
  const sent = isNullBodyStatus(status) ? null : text;
  return new Response(sent, { status, headers: JSON_HEADERS });
}

/** The value as a Response if it is one (hooks answer with it), else undefined. */
export function asResponse(value: unknown): Response | undefined {
  if (value instanceof Response) return value;
  return isResponseLike(value) ? copyResponse(value) : undefined;
}

/**
 * A Response from another copy of the Fetch classes (a module bundling its own `undici`, a
 * Workers RPC stub's realm) fails `instanceof` but is still a response, not a JSON object.
 */
interface ResponseLike {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
}

function isResponseLike(value: unknown): value is ResponseLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<ResponseLike> & { arrayBuffer?: unknown };
  return (
    typeof candidate.status === 'number' &&
    typeof candidate.arrayBuffer === 'function' &&
    typeof (candidate.headers as { get?: unknown } | undefined)?.get === 'function'
  );
}

function copyResponse(value: ResponseLike): Response {
  return new Response(value.body, {
    status: value.status,
    statusText: value.statusText,
    headers: new Headers(value.headers),
  });
}
