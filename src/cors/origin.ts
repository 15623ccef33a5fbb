/**
 * Allowed-origin entries (`cors.allow_origins`) and the matching of a request's `Origin`.
 *
 * Browsers serialize an origin as `scheme://host[:port]`: lower-case scheme and host, an ASCII
 * (punycode) host, and no port when it is the scheme's default (HTML Standard, "serialization
 * of an origin"). Entries are normalized to that form once, at compile time, so a request costs
 * one set lookup plus one prefix/suffix check per pattern; no regular expression is ever built
 * from config text.
 */

export type AllowedOrigin =
  | { readonly kind: 'any' }
  | { readonly kind: 'exact'; readonly origin: string }
  | {
      readonly kind: 'subdomains';
      /** `https://` */
      readonly prefix: string;
      /** `.example.com` or `.example.com:8443`: the parent domain and the exact port part. */
      readonly suffix: string;
      /** Labels of the parent domain (1 for `https://*.com`, which lint warns about). */
      readonly parentLabels: number;
    };

export interface InvalidOrigin {
  readonly kind: 'invalid';
  readonly reason: string;
}

// One DNS label: letters, digits and hyphens (RFC 1123 §2.1), at most 63 octets. Underscores and
// non-ASCII are refused: browsers send international names in their punycode (xn--) form.
const LABEL = /^[a-z0-9-]{1,63}$/;
// The labels `*` stands for in a request origin. The `.` between repetitions keeps this linear.
const SUBDOMAIN_LABELS = /^[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*$/;
const IPV6_HOST = /^\[[0-9a-f:.]+\]$/;
const PORT = /^[0-9]{1,5}$/;
// A serialized origin is visible ASCII only. Checking this before lower-casing also keeps
// Unicode case folding (e.g. KELVIN SIGN → `k`) from turning a foreign host into an allowed one.
const ORIGIN_TEXT = /^[\x21-\x7e]+$/;

const WILDCARD_RULE = '`*` may only stand for the leftmost label(s) of the host, as in https://*.example.com';

function invalid(reason: string): InvalidOrigin {
  return { kind: 'invalid', reason };
}

function defaultPort(scheme: string): string | undefined {
  if (scheme === 'https') return '443';
  if (scheme === 'http') return '80';
  return undefined;
}

function isHostname(host: string): boolean {
  return host.split('.').every((label) => LABEL.test(label));
}

/** Splits `host[:port]` (host possibly a bracketed IPv6 literal) without interpreting either. */
function splitAuthority(authority: string): { host: string; rest: string } {
  const hostEnd = authority.startsWith('[') ? authority.indexOf(']') + 1 : authority.indexOf(':');
  if (hostEnd <= 0) return { host: authority, rest: '' };
  return { host: authority.slice(0, hostEnd), rest: authority.slice(hostEnd) };
}

/**
 * Parses one `allow_origins` entry into its normalized form, or says why it can never match a
 * browser's `Origin` (lint reports the reason; compile refuses such a config).
 */
export function parseAllowedOrigin(entry: string): AllowedOrigin | InvalidOrigin {
  if (entry === '*') return { kind: 'any' };
  const separator = entry.indexOf('://');
  if (separator < 0) return invalid('is not an origin of the form scheme://host[:port]');
  const scheme = entry.slice(0, separator).toLowerCase();
  const schemeDefaultPort = defaultPort(scheme);
  if (schemeDefaultPort === undefined) return invalid('must use the http or https scheme');
  const authority = entry.slice(separator + 3);
  if (/[/?#]/.test(authority)) {
    return invalid(
      'must not have a path, trailing slash, query or fragment (an origin is scheme://host[:port])',
    );
  }
  if (authority.includes('@')) return invalid('must not contain user information');

  const { host: rawHost, rest } = splitAuthority(authority);
  let port: string | undefined;
  if (rest !== '') {
    const digits = rest.slice(1);
    if (!rest.startsWith(':') || !PORT.test(digits) || Number(digits) < 1 || Number(digits) > 65535) {
      return invalid('has an invalid port');
    }
    // Browsers omit the default port and never write leading zeros.
    const normalized = String(Number(digits));
    port = normalized === schemeDefaultPort ? undefined : normalized;
  }
  const portPart = port === undefined ? '' : `:${port}`;
  const host = rawHost.toLowerCase();

  if (host.includes('*')) {
    const parent = host.slice(2);
    if (!host.startsWith('*.') || parent.includes('*')) return invalid(WILDCARD_RULE);
    if (!isHostname(parent)) return invalid('has an invalid host name after `*.`');
    return {
      kind: 'subdomains',
      prefix: `${scheme}://`,
      suffix: `.${parent}${portPart}`,
      parentLabels: parent.split('.').length,
    };
  }
  if (!IPV6_HOST.test(host) && !isHostname(host)) {
    return invalid('has an invalid host (international names must be written in their punycode xn-- form)');
  }
  return { kind: 'exact', origin: `${scheme}://${host}${portPart}` };
}

/**
 * Compiles `allow_origins` into the function that answers "which `Access-Control-Allow-Origin`
 * for this request's `Origin`": `*` when an entry is `"*"`, the request's own origin when an
 * exact entry or a pattern matches, `undefined` otherwise. Invalid entries never match.
 */
export function compileOriginPolicy(entries: readonly string[]): (origin: string) => string | undefined {
  const exact = new Set<string>();
  const patterns: { prefix: string; suffix: string }[] = [];
  let any = false;
  for (const entry of entries) {
    const parsed = parseAllowedOrigin(entry);
    if (parsed.kind === 'any') any = true;
    else if (parsed.kind === 'exact') exact.add(parsed.origin);
    else if (parsed.kind === 'subdomains') patterns.push({ prefix: parsed.prefix, suffix: parsed.suffix });
  }
  // `"*"` answers `*` (never a reflected origin): lint refuses it with credentials, so the
  // response is the same for every site and carries no credentials.
  if (any) return () => '*';

  return (origin) => {
    if (!ORIGIN_TEXT.test(origin)) return undefined;
    const lower = origin.toLowerCase();
    if (exact.has(lower)) return origin;
    for (const { prefix, suffix } of patterns) {
      if (
        lower.length > prefix.length + suffix.length &&
        lower.startsWith(prefix) &&
        lower.endsWith(suffix) &&
        SUBDOMAIN_LABELS.test(lower.slice(prefix.length, lower.length - suffix.length))
      ) {
        return origin;
      }
    }
    return undefined;
  };
}
