/**
 * The statuses the gateway answers with that are not errors, and the one status rule it applies
 * to bodies. Error statuses are rows of the catalogue (codes.ts); these are the rest, so no
 * status number is written anywhere else in the core (docs/ERRORS.md "Answers that are not
 * errors"). Flow successes (200 with tokens, 302 redirects) are documented in docs/FLOWS.md.
 */
export const ANSWER_STATUS = {
  /** A CORS preflight the gateway answers itself (docs/BEHAVIOUR.md "CORS"). */
  preflight: 204,
  /**
   * The Response standing for a WebSocket upgrade Node's relay already answered on the socket:
   * never written, only returned so the pipeline has a value (docs/PROTOCOLS.md).
   */
  relayedUpgrade: 204,
  /** An upstream's WebSocket handshake answer (RFC 9110 §15.2.2). */
  switchingProtocols: 101,
  /** What a `service` result becomes (docs/CONFIG.md "Services, service bindings and hooks"). */
  serviceResultOk: 200,
  serviceResultError: 500,
  serviceResultUnusable: 400,
  /** `/readyz` on the admin listener (docs/OBSERVABILITY.md). */
  ready: 200,
  notReady: 503,
  /** An identity flow's success: tokens or claims (docs/FLOWS.md). */
  flowSuccess: 200,
  /** An identity flow's redirect: to the provider's login, back to the app, to the logout page. */
  flowRedirect: 302,
} as const;

/** Fetch "null body status": a response with one of these may not carry a body. */
export function isNullBodyStatus(status: number): boolean {
  return status === 204 || status === 205 || status === 304;
}
