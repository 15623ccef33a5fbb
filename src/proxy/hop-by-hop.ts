/**
 * Hop-by-hop headers (RFC 9110 §7.6.1, docs/BEHAVIOUR.md "6. http_proxy"): they describe one connection
 * and never cross the gateway, in either direction, and mapping may not set them.
 */
export const HOP_BY_HOP_HEADERS = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'trailer',
] as const;
