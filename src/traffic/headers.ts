import type { Decision } from './types.js';

/**
 * The RateLimit header fields of draft-ietf-httpapi-ratelimit-headers (docs/TRAFFIC.md
 * "Headers"): Structured Field lists (RFC 9651), one item per policy the request was counted
 * against, named by the policy:
 *
 *   RateLimit-Policy: "per_ip";q=20;w=1, "gold";q=1000;w=60
 *   RateLimit: "per_ip";r=19;t=1, "gold";r=998;t=1
 *
 * `q` quota and `w` window (seconds) are fixed per policy, so each policy's item is built once;
 * `r` remaining and `t` seconds until the quota is whole again come from the store's decision.
 */
export const RATELIMIT_POLICY = 'ratelimit-policy';
export const RATELIMIT = 'ratelimit';

/** An sf-string (RFC 9651 §3.3.3): printable ASCII, `"` and `\` escaped. Lint refuses other names. */
export function sfString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function policyItem(name: string, limit: number, windowS: number): string {
  return `${sfString(name)};q=${limit};w=${windowS}`;
}

export function rateItem(quotedName: string, remaining: number, resetMs: number): string {
  return `${quotedName};r=${remaining};t=${Math.max(0, Math.ceil(resetMs / 1000))}`;
}

/** Retry-After in whole seconds (RFC 9110 §10.2.3), never 0 for a refusal. */
export function retryAfterSeconds(decision: Decision): string {
  return String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
}
