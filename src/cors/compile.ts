import { checked, type Checked } from '../config/problems.js';
import type { CorsConfig } from '../config/schema.js';
import { appendVaryOrigin, removeAccessControlHeaders, varyWithOrigin } from './headers.js';
import { lintCors } from './lint.js';
import { compileOriginPolicy } from './origin.js';
import { ANSWER_STATUS } from '../errors/statuses.js';

export interface CompiledCors {
  /** 204 preflight response with all CORS headers for this request's Origin (no auth, nothing forwarded). */
  preflight(request: Request): Response;
  /**
   * Applies the CORS decision to an outgoing response's (mutable) headers: upstream
   * `Access-Control-*` headers are replaced, Allow-Origin/Allow-Credentials are set when the
   * origin is allowed, the configured lists are set, and `Origin` is appended to `Vary`.
   * Idempotent: decorating the same headers twice gives the same result.
   */
  apply(requestOrigin: string | null, headers: Headers): void;
  /**
   * The same decision for a response held as a plain record (an Answer): upstream
   * `Access-Control-*` entries are replaced, exactly as apply() does on Headers.
   */
  applyToRecord(requestOrigin: string | null, record: Record<string, string>): void;
}

/**
 * Header values that do not depend on the request, built once. Like the anchor, they go on every
 * response (not only preflights) and regardless of the origin: they are public config, and a
 * browser ignores them unless Allow-Origin matches. Empty lists send nothing.
 *
 * `allow_headers` unset sends no Access-Control-Allow-Headers, so browsers allow only
 * CORS-safelisted request headers. Reflecting Access-Control-Request-Headers instead would
 * silently allow any header (Authorization included) on every allowed origin; the policy is what
 * the config writes.
 */
function fixedHeaders(config: CorsConfig): readonly (readonly [string, string])[] {
  const fixed: [string, string][] = [];
  const list = (name: string, values: readonly string[] | undefined): void => {
    if (values !== undefined && values.length > 0) fixed.push([name, values.join(',')]);
  };
  list('access-control-allow-methods', config.allow_methods);
  list('access-control-allow-headers', config.allow_headers);
  list('access-control-expose-headers', withRequestId(config.expose_headers));
  if (config.max_age !== undefined) fixed.push(['access-control-max-age', String(config.max_age)]);
  return fixed;
}

/**
 * Every response carries the gateway's `X-Request-Id`; browser code can read it (to quote it in a
 * bug report) only when it is exposed, so it always is (docs/BEHAVIOUR.md "CORS"). Named even
 * beside `*`: on a credentialed request a browser reads `*` as a header literally named `*`.
 */
function withRequestId(expose: readonly string[] | undefined): readonly string[] {
  const list = expose ?? [];
  if (list.some((name) => name.toLowerCase() === 'x-request-id')) return list;
  return [...list, 'X-Request-Id'];
}

/**
 * Checks and compiles `cors` in one pass: the rules of lint.ts (notably `"*"` with credentials,
 * docs/COMPAT.md row 8, is an error), then, only when none is an error, the policy. A policy
 * with errors is never built, so no caller can serve an unsafe one.
 */
export function checkCors(config: CorsConfig, pointer = '/cors'): Checked<CompiledCors> {
  return checked(lintCors(config, pointer), () => compileCors(config));
}

/** Builds a policy checkCors accepted. */
function compileCors(config: CorsConfig): CompiledCors {
  const allowOriginFor = compileOriginPolicy(config.allow_origins);
  const credentials = config.allow_credentials === true;
  const fixed = fixedHeaders(config);

  const credentialsPair: readonly (readonly [string, string])[] = credentials
    ? [['access-control-allow-credentials', 'true']]
    : [];
  /**
   * The one CORS decision, for both header forms: the headers a response to `requestOrigin`
   * carries. A request from no or a disallowed origin gets the fixed headers only (one shared
   * array, nothing allocated); an allowed one also gets its Allow-Origin (and credentials).
   */
  const corsHeadersFor = (requestOrigin: string | null): readonly (readonly [string, string])[] => {
    const allowOrigin = requestOrigin === null ? undefined : allowOriginFor(requestOrigin);
    if (allowOrigin === undefined) return fixed;
    return [['access-control-allow-origin', allowOrigin], ...credentialsPair, ...fixed];
  };

  const apply = (requestOrigin: string | null, headers: Headers): void => {
    removeAccessControlHeaders(headers);
    for (const [name, value] of corsHeadersFor(requestOrigin)) headers.set(name, value);
    // Even without a match: the answer differs by Origin, so caches must key on it.
    appendVaryOrigin(headers);
  };

  const applyToRecord = (requestOrigin: string | null, record: Record<string, string>): void => {
    // An upstream's own CORS answer never survives (docs/BEHAVIOUR.md "8. CORS on every response").
    for (const name in record) if (name.startsWith('access-control-')) delete record[name];
    for (const [name, value] of corsHeadersFor(requestOrigin)) record[name] = value;
    record.vary = varyWithOrigin(record.vary);
  };

  return {
    apply,
    applyToRecord,
    preflight(request) {
      const headers = new Headers();
      apply(request.headers.get('origin'), headers);
      return new Response(null, { status: ANSWER_STATUS.preflight, headers });
    },
  };
}
