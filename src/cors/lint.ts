import { configError, configWarning, type ConfigProblem } from '../config/problems.js';
import type { CorsConfig } from '../config/schema.js';
import { parseAllowedOrigin } from './origin.js';

// RFC 9110 §5.6.2 token: what a method or a header name may be.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// A lower-case entry for one of these never matches: Fetch upper-cases DELETE, GET, HEAD,
// OPTIONS, POST and PUT, sends other methods (PATCH!) as written, and compares them byte for byte
// with Access-Control-Allow-Methods. Apps send `PATCH` in capitals in practice.
const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

/**
 * Semantic rules of the `cors` object (docs/CONFIG.md "CORS", docs/COMPAT.md rows 8-9). Every entry that
 * could never match, or that would open the API wider than written, is an error.
 */
export function lintCors(config: CorsConfig, pointer: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const credentials = config.allow_credentials === true;

  if (config.allow_origins.length === 0) {
    problems.push(
      configWarning(
        `${pointer}/allow_origins`,
        'no origin is allowed: browsers will refuse every cross-origin read',
      ),
    );
  }
  config.allow_origins.forEach((entry, index) => {
    const at = `${pointer}/allow_origins/${index}`;
    const parsed = parseAllowedOrigin(entry);
    if (parsed.kind === 'invalid') {
      problems.push(configError(at, `${JSON.stringify(entry)} ${parsed.reason}`));
    } else if (parsed.kind === 'subdomains' && parsed.parentLabels === 1) {
      problems.push(configWarning(at, `${JSON.stringify(entry)} allows every site under a top-level domain`));
    }
  });
  if (credentials && config.allow_origins.includes('*')) {
    problems.push(
      configError(
        `${pointer}/allow_credentials`,
        'allow_credentials cannot be true when allow_origins contains "*": any website could make ' +
          'credentialed requests and read the answers; list the allowed origins instead',
      ),
    );
  }

  config.allow_methods?.forEach((method, index) => {
    const at = `${pointer}/allow_methods/${index}`;
    problems.push(...lintToken(method, at, 'method', credentials));
    const upper = method.toUpperCase();
    if (method !== upper && STANDARD_METHODS.has(upper)) {
      problems.push(configWarning(at, `method names are case-sensitive in CORS: write "${upper}"`));
    }
  });
  config.allow_headers?.forEach((name, index) => {
    problems.push(...lintToken(name, `${pointer}/allow_headers/${index}`, 'header name', credentials));
  });
  config.expose_headers?.forEach((name, index) => {
    problems.push(...lintToken(name, `${pointer}/expose_headers/${index}`, 'header name', credentials));
  });
  return problems;
}

function lintToken(value: string, at: string, what: string, credentials: boolean): ConfigProblem[] {
  if (value === '*') {
    // Fetch: with credentials, `*` in these lists is the literal name "*", not a wildcard.
    return credentials
      ? [configWarning(at, '"*" is not a wildcard for credentialed requests; browsers read it literally')]
      : [];
  }
  return TOKEN.test(value) ? [] : [configError(at, `${JSON.stringify(value)} is not a valid ${what}`)];
}
