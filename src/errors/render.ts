import { Answer } from '../answer.js';
import { ERROR_CATALOGUE, publicCode, type ErrorCode } from './codes.js';
import type { GatewayError } from './gateway-error.js';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** Bodies never change per request, so each code's JSON text is built once. */
const BODY_TEXT = new Map<ErrorCode, string>(
  (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).map((code) => {
    const def = ERROR_CATALOGUE[code];
    const body: Record<string, string> = {};
    if ('legacyMessage' in def && def.legacyMessage) body.message = def.message;
    body.error = def.message;
    body.code = publicCode(code);
    return [code, JSON.stringify(body)];
  }),
);

export function errorStatus(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

/** The one renderer: every gateway-generated error response is built here. */
export function renderError(code: ErrorCode, headers?: Readonly<Record<string, string>>): Response {
  const responseHeaders = headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS;
  return new Response(BODY_TEXT.get(code) ?? null, {
    status: ERROR_CATALOGUE[code].status,
    headers: responseHeaders,
  });
}

/**
 * An error answered where no compiled config can decorate it (a Worker with no valid config yet,
 * a fault in an adapter): the catalogue's body and the default `X-Powered-By` — the adapters
 * never spell headers of their own.
 */
export function renderUndecoratedError(code: ErrorCode): Response {
  return renderError(code, UNDECORATED_HEADERS);
}

const UNDECORATED_HEADERS = { 'x-powered-by': 'Gatehouse' } as const;

/**
 * A catalogue error with extra body fields — the identity provider's own `provider_error` code
 * at a failed login (docs/ERRORS.md). Status, `error` and `code` still come from the catalogue.
 */
export function renderErrorWithFields(
  code: ErrorCode,
  fields: Readonly<Record<string, string>>,
  headers?: Readonly<Record<string, string>>,
): Response {
  const def = ERROR_CATALOGUE[code];
  const body = JSON.stringify({ error: def.message, code: publicCode(code), ...fields });
  return new Response(body, {
    status: def.status,
    headers: headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS,
  });
}

export function renderGatewayError(error: GatewayError): Response {
  return renderError(error.code, error.headers);
}

/** The same error as an Answer, for the gateway's own exit (no Headers object on the way). */
export function errorAnswer(code: ErrorCode, headers?: Readonly<Record<string, string>>): Answer {
  if (!headers) return PLAIN_ANSWERS.get(code) as Answer;
  return new Answer(
    ERROR_CATALOGUE[code].status,
    { ...JSON_HEADERS, ...headers },
    BODY_TEXT.get(code) ?? null,
  );
}

/** Answers without extra headers never change, so each code's is built once. */
const PLAIN_ANSWERS = new Map<ErrorCode, Answer>(
  [...BODY_TEXT].map(([code, body]) => [code, new Answer(ERROR_CATALOGUE[code].status, JSON_HEADERS, body)]),
);

export function gatewayErrorAnswer(error: GatewayError): Answer {
  return errorAnswer(error.code, error.headers);
}

/** Flow errors (Auth0, Supabase) carry their own documented `error`/`code` pairs. */
export function renderJsonError(status: number, error: string, code: string): Response {
  return new Response(JSON.stringify({ error, code }), { status, headers: JSON_HEADERS });
}
