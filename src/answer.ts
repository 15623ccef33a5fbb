/**
 * A response the gateway composes itself (static routes, its own errors): status, a plain header
 * record and a text body. The gateway's exit adds its decorations to the record and builds the
 * Response once, so no `Headers` object is created, filled and converted back for these — on
 * Node that round trip cost more than the rest of a static route's work (docs/BENCHMARKS.md).
 */
export class Answer {
  constructor(
    readonly status: number,
    /** Lower-case names. Never modified: answers are shared between requests. */
    readonly headers: Readonly<Record<string, string>>,
    readonly body: string | null,
  ) {}
}

/** What a route handler gives the gateway's exit. */
export type Reply = Response | Answer;
