import { parseJsonObject } from '../identity/provider-call.js';

/**
 * What the Supabase flows take from GoTrue's answers (docs/FLOWS.md "Supabase"). A refusal to
 * send is the catalogue row SUPABASE_OTP_SEND_FAILED / SUPABASE_OTP_ALT_FAILED (400) with
 * GoTrue's own message as `error` (its user-facing text, e.g. "Email rate limit exceeded"),
 * passed on only after trimming control characters and length — never a token, key or the
 * contact address the client sent.
 */
const MAX_MESSAGE_LENGTH = 200;

/** GoTrue's error text: `msg` (current), `error_description` / `message` / `error` (older servers). */
export function providerMessage(text: string): string | undefined {
  const body = parseJsonObject(text);
  const candidate = ['msg', 'error_description', 'message', 'error']
    .map((key) => body?.[key])
    .find((value): value is string => typeof value === 'string' && value.trim() !== '');
  if (candidate === undefined) return undefined;
  // eslint-disable-next-line no-control-regex
  const clean = candidate.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (clean === '') return undefined;
  return clean.length > MAX_MESSAGE_LENGTH ? `${clean.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : clean;
}

/** GoTrue's machine-readable error code (`error_code`), for the log line only. */
export function providerErrorCode(text: string): string | undefined {
  const code = parseJsonObject(text)?.error_code;
  return typeof code === 'string' && /^[a-z0-9_]{1,64}$/i.test(code) ? code : undefined;
}
