import { configError, type ConfigProblem } from '../config/problems.js';
import { NO_RANGES, parseIpRanges, type IpRanges } from './ip-ranges.js';

export type { IpRanges };

/** `gateway.trusted_proxies` problems, each at its own pointer (config validation). */
export function lintTrustedProxies(cidrs: readonly string[] | undefined): ConfigProblem[] {
  if (cidrs === undefined) return [];
  const parsed = parseIpRanges(cidrs);
  return 'error' in parsed ? [configError(`/gateway/trusted_proxies/${parsed.index}`, parsed.error)] : [];
}

/** Validation ran first (config/lint.ts), so a bad range here is a bug: keep the gateway the edge. */
export function compileTrustedProxies(cidrs: readonly string[] | undefined): IpRanges {
  if (cidrs === undefined || cidrs.length === 0) return NO_RANGES;
  const parsed = parseIpRanges(cidrs);
  if ('error' in parsed) throw new TypeError(parsed.error);
  return parsed;
}
