import type { RequestContext } from '../../context.js';
import { parseJsonObject, readCappedText } from './provider-call.js';

/**
 * Bodies of the flow endpoints are a handful of short fields (an email, a code, a refresh
 * token). The gateway's `max_body_bytes` (default 10 MiB) is sized for proxied uploads, so the
 * flows read at most this much and answer 413 beyond it.
 */
export const MAX_FLOW_BODY_BYTES = 16 * 1024;

export type JsonBody =
  | { readonly kind: 'object'; readonly value: Record<string, unknown> }
  /** Valid JSON, but not an object (`[]`, `"x"`, `null`): the fields are simply missing. */
  | { readonly kind: 'other' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'too_large' };

export async function readJsonBody(ctx: RequestContext, maxBytes = MAX_FLOW_BODY_BYTES): Promise<JsonBody> {
  const text = await readCappedText(ctx.request, maxBytes);
  if (text === undefined) return { kind: 'too_large' };
  const value = parseJsonObject(text);
  if (value) return { kind: 'object', value };
  try {
    JSON.parse(text);
    return { kind: 'other' };
  } catch {
    return { kind: 'invalid' };
  }
}

/** A non-empty string field (after trimming), or undefined. */
export function stringField(
  body: Record<string, unknown>,
  name: string,
  maxLength = 1024,
): string | undefined {
  const value = body[name];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= maxLength ? trimmed : undefined;
}
