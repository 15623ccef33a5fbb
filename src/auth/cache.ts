import type { JWTPayload } from 'jose';
import type { AuthorizerSettings } from './types.js';

/**
 * Successful verifications, per authorizer, keyed by the whole token string (docs/BENCHMARKS.md P2:
 * a protected route within 0.9× of an unprotected one). An entry is served only inside the
 * window in which a fresh verification would also pass: never at or after `exp` (with the clock
 * tolerance), never before `nbf`, never outside `max_token_age`; and never longer than
 * `maxEntryAgeMs`, so a key removed from a key set stops being honoured soon after.
 *
 * Only successes are cached: failures of malformed tokens cost nothing (they never reach
 * cryptography), and caching refusals would let anyone fill the cache with garbage. Tokens reach
 * the cache only after the strict compact-format check, and the cache is bounded in entries and
 * in total token characters. Eviction is oldest-inserted first: a hit costs one Map lookup (no
 * reordering), and a hot token that gets evicted is simply verified once more and re-inserted.
 */
export interface VerificationCacheOptions {
  readonly maxEntries: number;
  /** Sum of cached token lengths: bounds memory whatever the token sizes. */
  readonly maxChars: number;
  readonly maxEntryAgeMs: number;
}

export const DEFAULT_VERIFICATION_CACHE_OPTIONS: VerificationCacheOptions = {
  maxEntries: 10_000,
  maxChars: 8 * 1024 * 1024,
  maxEntryAgeMs: 5 * 60_000,
};

interface Entry {
  readonly claims: JWTPayload;
  /** Milliseconds: the entry is valid for notBefore <= now < notAfter. */
  readonly notBefore: number;
  readonly notAfter: number;
}

export class VerificationCache {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;
  private readonly options: VerificationCacheOptions;

  constructor(options: VerificationCacheOptions) {
    this.options = options;
  }

  get size(): number {
    return this.entries.size;
  }

  get(token: string, now: number): JWTPayload | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (now < entry.notBefore || now >= entry.notAfter) {
      this.entries.delete(token);
      this.chars -= token.length;
      return undefined;
    }
    return entry.claims;
  }

  set(token: string, claims: JWTPayload, now: number, settings: AuthorizerSettings): void {
    const window = validityWindow(claims, now, settings, this.options.maxEntryAgeMs);
    if (!window || token.length > this.options.maxChars) return;
    if (this.entries.delete(token)) this.chars -= token.length;
    this.entries.set(token, { claims, ...window });
    this.chars += token.length;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.options.maxEntries && this.chars <= this.options.maxChars) break;
      this.entries.delete(oldest);
      this.chars -= oldest.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }
}

/**
 * The interval in which jose's time checks (exp, nbf, iat with max_token_age, all with the
 * clock tolerance) would all pass, rounded inwards; undefined when it is already empty.
 */
function validityWindow(
  claims: JWTPayload,
  now: number,
  settings: AuthorizerSettings,
  maxEntryAgeMs: number,
): { notBefore: number; notAfter: number } | undefined {
  const tolerance = settings.clockTolerance;
  let notBefore = Number.NEGATIVE_INFINITY;
  let notAfter = now + maxEntryAgeMs;
  const { exp, nbf, iat } = claims;
  if (typeof exp === 'number') notAfter = Math.min(notAfter, (exp + tolerance) * 1000);
  if (typeof nbf === 'number') notBefore = Math.max(notBefore, Math.ceil(nbf - tolerance) * 1000);
  if (settings.maxTokenAge !== undefined && typeof iat === 'number') {
    notAfter = Math.min(notAfter, (iat + settings.maxTokenAge + tolerance) * 1000);
    notBefore = Math.max(notBefore, Math.ceil(iat - tolerance) * 1000);
  }
  return notBefore <= now && now < notAfter ? { notBefore, notAfter } : undefined;
}
