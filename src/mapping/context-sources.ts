import type { RequestContext } from '../context.js';
import { clientAddress } from '../traffic/client-address.js';
import type { MappingSources } from './compile-template.js';

/**
 * The values mapping templates and rate-limit keys read from one request; the query is parsed
 * only if a template reads it. A class so the lazy getters live on the prototype (see gateway.ts
 * RouteContext).
 */
export class ContextMappingSources implements MappingSources {
  #query: URLSearchParams | undefined;
  constructor(private readonly ctx: RequestContext) {}
  get headers(): Headers {
    return this.ctx.request.headers;
  }
  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.ctx.search);
    return this.#query;
  }
  get claims(): RequestContext['claims'] {
    return this.ctx.claims;
  }
  get params(): Readonly<Record<string, string>> {
    return this.ctx.params;
  }
  get ip(): string {
    return clientAddress(this.ctx);
  }
  get consumer(): RequestContext['consumer'] {
    return this.ctx.consumer;
  }
}
