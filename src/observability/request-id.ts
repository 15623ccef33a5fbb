/**
 * Request ids (docs/BEHAVIOUR.md): an incoming `X-Request-Id` is kept when it is a sane token
 * (≤ 128 characters of a conservative alphabet, so it is safe in logs and headers); otherwise
 * a new UUID is generated.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function pickRequestId(incoming: string | null): string {
  return incoming !== null && SANE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}
