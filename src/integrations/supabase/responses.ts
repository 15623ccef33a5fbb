import { renderJsonError } from '../../errors/render.js';
import { parseJsonObject } from '../identity/provider-call.js';

/**
 * The Supabase flows' answers that carry the provider's words (docs/FLOWS.md "Supabase"); the
 * fixed refusals are rows of the error catalogue (src/errors/codes.ts), thrown as GatewayErrors.
 * Bodies are `{"error","code"}` or `{"message"}`; provider messages are passed on only after trimming
 * control characters and length (they are GoTrue's user-facing texts, e.g. "Email rate limit
 * exceeded"), never a token, key or the contact address the client sent.
 */
/** A refusal to send (400) with Supabase's own message: SUPABASE_OTP_SEND_FAILED / SUPABASE_OTP_ALT_FAILED. */
export function sendFailed(message: string, code: string): Response {
  return renderJsonError(400, message, code);
}

export function jsonMessage(message: string): Response {
  return new Response(JSON.stringify({ message }), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });
}

const MAX_MESSAGE_LENGTH = 200;

/** GoTrue's error text: `msg` (current), `error_description` / `message` / `error` (older servers). */
export function providerMessage(text: string, fallback: string): string {
  const body = parseJsonObject(text);
  const candidate = ['msg', 'error_description', 'message', 'error']
    .map((key) => body?.[key])
    .find((value): value is string => typeof value === 'string' && value.trim() !== '');
  if (candidate === undefined) return fallback;
  // eslint-disable-next-line no-control-regex
  const clean = candidate.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > MAX_MESSAGE_LENGTH ? `${clean.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : clean || fallback;
}

/** GoTrue's machine-readable error code (`error_code`), for the log line only. */
export function providerErrorCode(text: string): string | undefined {
  const code = parseJsonObject(text)?.error_code;
  return typeof code === 'string' && /^[a-z0-9_]{1,64}$/i.test(code) ? code : undefined;
}
