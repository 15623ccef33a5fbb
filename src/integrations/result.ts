import { GatewayError } from '../errors/gateway-error.js';

/**
 * Turns what a `service` module or a `service_binding` function returned into the client's
 * response (docs/CONFIG.md "Services, service bindings and hooks"):
 *
 * - a `Response` passes through as it is;
 * - a string → 200 with that text (`text/plain; charset=utf-8`);
 * - `null` / `undefined` → 200 with an empty body;
 * - an object → JSON `{"status","message","data"}`:
 *   - `status` is `"error"` when the object has an `error` field (not undefined), else `"success"`;
 *   - HTTP status is `statusCode` when it is an integer 200–599, else 500 for an error, else 200;
 *   - `message` is the object's `message` when it is a string; else, for an error, `error` when
 *     it is a string (or an Error's message), else `"Error"`; for a success, `"Success"`;
 *   - `data` is the object's `data` field when it has one; else the object without its
 *     `statusCode`, `message` and `error` fields (`{}` when nothing is left);
 * - any other JSON value (array, number, boolean) → 200 `{"status":"success","message":"Success","data":VALUE}`.
 *
 * Anything that cannot be represented (a function, a symbol, a circular object, an invalid
 * `statusCode`) is a fault of the module: 500 `ERR_INTERNAL`, with the reason in the log line.
 */
const JSON_HEADERS = { 'content-type': 'application/json' } as const;
const TEXT_HEADERS = { 'content-type': 'text/plain; charset=utf-8' } as const;
const ENVELOPE_FIELDS = new Set(['statusCode', 'message', 'error']);

export function resultToResponse(value: unknown): Response {
  const response = asResponse(value);
  if (response) return response;
  if (value === null || value === undefined) return new Response(null, { status: 200 });
  if (typeof value === 'string') return new Response(value, { status: 200, headers: TEXT_HEADERS });
  if (typeof value === 'object') {
    return Array.isArray(value) ? envelope(200, 'success', 'Success', value) : wrapObject(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return envelope(200, 'success', 'Success', value);
  }
  throw new GatewayError('ERR_INTERNAL', {
    detail: { reason: 'unrepresentable result', type: typeof value },
  });
}

function wrapObject(result: object): Response {
  const fields = result as Record<string, unknown>;
  const isError = fields.error !== undefined;
  const status = statusOf(fields.statusCode, isError ? 500 : 200);
  const message =
    typeof fields.message === 'string' ? fields.message : isError ? errorText(fields.error) : 'Success';
  return envelope(status, isError ? 'error' : 'success', message, dataOf(fields));
}

function statusOf(statusCode: unknown, fallback: number): number {
  if (statusCode === undefined) return fallback;
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

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  return 'Error';
}

function dataOf(fields: Record<string, unknown>): unknown {
  if ('data' in fields) return fields.data;
  const data: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    if (!ENVELOPE_FIELDS.has(key)) data[key] = fields[key];
  }
  return data;
}

function envelope(status: number, outcome: 'success' | 'error', message: string, data: unknown): Response {
  let text: string;
  try {
    text = JSON.stringify({ status: outcome, message, data });
  } catch (error) {
    throw new GatewayError('ERR_INTERNAL', {
      detail: { reason: 'result is not JSON-serializable', message: (error as Error).message },
      cause: error,
    });
  }
  // A 204/205/304 may not carry a body (Fetch standard: "null body status").
  const body = status === 204 || status === 205 || status === 304 ? null : text;
  return new Response(body, { status, headers: JSON_HEADERS });
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
