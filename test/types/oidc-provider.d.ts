/**
 * The few parts of `oidc-provider` (which ships no type declarations) the test fixture uses.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- event payloads are koa contexts
    on(event: string, listener: (...args: any[]) => void): this;
  }
}
