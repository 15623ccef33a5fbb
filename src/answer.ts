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
  ) {}
}

/** What a route handler gives the gateway's exit. */
export type Reply = Response | Answer;

/** A Reply as a standard Response (for callers outside the gateway's exit, such as tests). */
export function replyToResponse(reply: Reply): Response {
  return reply instanceof Answer
    ? new Response(reply.body, { status: reply.status, headers: reply.headers })
    : reply;
}
