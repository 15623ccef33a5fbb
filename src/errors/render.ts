import { Answer, appendSetCookies } from '../answer.js';
import { ERROR_CATALOGUE, errorDefinition, publicCode, type ErrorCode } from './codes.js';
import type { GatewayError, ProviderVariation } from './gateway-error.js';

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
 * The status and body of a catalogue row with what its error took from the provider — only what
 * the row allows: the provider's 4xx/5xx status (`passesProviderStatus`), its words as `error`
 * (`passesProviderMessage`), the row's declared extra `fields`. Everything else is the row's.
 */
function variedAnswer(code: ErrorCode, variation: ProviderVariation): { status: number; body: string } {
  const def = errorDefinition(code);
  const status =
    def.passesProviderStatus === true &&
    variation.status !== undefined &&
    variation.status >= 400 &&
    variation.status <= 599
      ? variation.status
      : def.status;
  const body: Record<string, string> = {};
  if (def.legacyMessage === true) body.message = def.message;
  body.error = def.passesProviderMessage === true && variation.message ? variation.message : def.message;
  body.code = publicCode(code);
  for (const name of def.fields ?? []) {
    const value = variation.fields?.[name];
    if (value !== undefined) body[name] = value;
  }
  return { status, body: JSON.stringify(body) };
}

export function renderGatewayError(error: GatewayError): Response {
  let response: Response;
  if (!error.variation) response = renderError(error.code, error.headers);
  else {
    const { status, body } = variedAnswer(error.code, error.variation);
    response = new Response(body, {
      status,
      headers: error.headers ? { ...JSON_HEADERS, ...error.headers } : JSON_HEADERS,
    });
  }
  appendSetCookies(response, error.setCookies);
  return response;
}

/** The same error as an Answer, for the gateway's own exit (no Headers object on the way). */
export function errorAnswer(code: ErrorCode, headers?: Readonly<Record<string, string>>): Answer {
  if (!headers) return PLAIN_ANSWERS.get(code) as Answer;
  return new Answer(
    ERROR_CATALOGUE[code].status,
    { ...JSON_HEADERS, ...headers },
    BODY_TEXT.get(code) ?? null,
    code,
  );
}

/** Answers without extra headers never change, so each code's is built once. */
const PLAIN_ANSWERS = new Map<ErrorCode, Answer>(
  [...BODY_TEXT].map(([code, body]) => [
    code,
    new Answer(ERROR_CATALOGUE[code].status, JSON_HEADERS, body, code),
  ]),
);

export function gatewayErrorAnswer(error: GatewayError): Answer {
  const headers = error.headers ? { ...JSON_HEADERS, ...error.headers } : JSON_HEADERS;
  if (!error.variation) {
    const plain = errorAnswer(error.code, error.headers);
    return error.setCookies
      ? new Answer(plain.status, headers, plain.body, plain.code, error.setCookies)
      : plain;
  }
  const { status, body } = variedAnswer(error.code, error.variation);
  return new Answer(status, headers, body, error.code, error.setCookies);
}
