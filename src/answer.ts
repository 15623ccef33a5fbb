/**
 * A response held as plain data: status, a plain header record and a body that is already
 * complete — static routes, the gateway's own errors, and (on Node) an upstream's small answer
 * that arrived whole. The gateway's exit adds its decorations to the record and builds the
 * Response once, so no `Headers` object is created, filled and converted back for these — on
 * Node that round trip cost more than the rest of a static route's work (docs/BENCHMARKS.md).
 */
export class Answer {
  constructor(
    readonly status: number,
    /** Lower-case names. Never modified: answers are shared between requests. */
    readonly headers: Readonly<Record<string, string>>,
    readonly body: string | Uint8Array<ArrayBuffer> | null,
    /**
     * The error catalogue key of an error answer (src/errors/render.ts), so the gateway's exit
     * can log the code of an answer nothing threw (a 404 from the router) like a thrown one.
     */
    readonly code?: string,
    /**
     * `Set-Cookie` lines, each its own header (a plain record holds one value per name): an error
     * that clears a session split over several cookies. Undefined for every other answer.
     */
    readonly setCookies: readonly string[] | undefined = undefined,
  ) {}
}

/** What a route handler gives the gateway's exit. */
export type Reply = Response | Answer;

/** A Reply as a standard Response (for callers outside the gateway's exit, such as tests). */
export function replyToResponse(reply: Reply): Response {
  if (!(reply instanceof Answer)) return reply;
  const response = new Response(reply.body, { status: reply.status, headers: reply.headers });
  appendSetCookies(response, reply.setCookies);
  return response;
}

/** Adds each `Set-Cookie` line as its own header. */
export function appendSetCookies(response: Response, lines: readonly string[] | undefined): void {
  if (lines) for (const line of lines) response.headers.append('set-cookie', line);
}
