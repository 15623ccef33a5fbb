import { GatewayError } from '../errors/gateway-error.js';
import type { UpstreamBase } from './upstream-url.js';

/** docs/PROTOCOLS.md "Upstream pools": consecutive connection failures that open a URL's breaker. */
export const DEFAULT_BREAKER_FAILURES = 1;
/** How long an open breaker keeps its URL out before one probe request may try it. */
export const DEFAULT_BREAKER_OPEN_MS = 10_000;

export type Balance = 'round_robin' | 'least_requests';

/** How one upstream exchange ended, for the URL's breaker and request count. */
export type Outcome = 'ok' | 'unreachable' | 'other';

export interface PoolOptions {
  readonly balance: Balance;
  readonly breakerFailures: number;
  readonly breakerOpenMs: number;
  readonly now: () => number;
}

/**
 * One URL of a pool: its active-health state (from health checks), its circuit breaker (from
 * real requests) and how many requests are waiting on it.
 *
 * Breaker: `closed` lets requests through; `breakerFailures` consecutive connection failures
 * open it for `breakerOpenMs`; then the next request that picks it is its one probe
 * (`half-open`, nobody else is sent there meanwhile): success closes it, failure opens it again.
 */
class Member {
  healthy = true;
  breaker: 'closed' | 'open' | 'half-open' = 'closed';
  failures = 0;
  openUntil = 0;
  inFlight = 0;

  constructor(readonly base: UpstreamBase) {}

  /** Whether a request may go here now; a due open breaker becomes half-open for this request. */
  available(now: number, take: boolean): boolean {
    if (!this.healthy) return false;
    if (this.breaker === 'closed') return true;
    if (this.breaker === 'half-open' || now < this.openUntil) return false;
    if (take) this.breaker = 'half-open';
    return true;
  }
}

/**
 * The URLs of a multi-URL server (docs/PROTOCOLS.md "Upstream pools"): `round_robin` or
 * `least_requests` among the URLs that are healthy and whose breaker lets requests through.
 * When none is, the request is refused at once with 503 (ERR_UPSTREAM_POOL_DOWN), never sent to
 * a URL known to be down and never kept waiting.
 */
export class UpstreamPool {
  private cursor = 0;
  private readonly members: Member[];
  private readonly byBase = new Map<UpstreamBase, Member>();

  constructor(
    readonly alias: string,
    bases: readonly UpstreamBase[],
    private readonly options: PoolOptions,
  ) {
    this.members = bases.map((base) => new Member(base));
    for (const member of this.members) this.byBase.set(member.base, member);
  }

  get bases(): readonly UpstreamBase[] {
    return this.members.map((member) => member.base);
  }

  /**
   * The URL for the next attempt. `avoid`: the URL a retry's first attempt just failed on, never
   * chosen again for it, so a retry lands on another URL whenever one is up — even when
   * concurrent requests moved the rotation back onto the failed one.
   */
  next(avoid?: UpstreamBase): UpstreamBase {
    const chosen =
      this.options.balance === 'least_requests' ? this.leastRequests(avoid) : this.roundRobin(avoid);
    if (chosen === undefined) {
      throw new GatewayError('ERR_UPSTREAM_POOL_DOWN', {
        detail: { server: this.alias, state: this.describe() },
      });
    }
    chosen.inFlight++;
    return chosen.base;
  }

  /** Called once per `next()`, when the exchange's outcome is known (response headers or failure). */
  finish(base: UpstreamBase, outcome: Outcome): void {
    const member = this.byBase.get(base);
    if (member === undefined) return;
    member.inFlight--;
    if (outcome === 'ok') {
      member.failures = 0;
      member.breaker = 'closed';
    } else if (outcome === 'unreachable') {
      member.failures++;
      if (member.breaker === 'half-open' || member.failures >= this.options.breakerFailures) {
        member.breaker = 'open';
        member.openUntil = this.options.now() + this.options.breakerOpenMs;
      }
    } else if (member.breaker === 'half-open') {
      // The probe told nothing (client left, timeout): the next request may probe again.
      member.breaker = 'open';
    }
  }

  /** An active health check's verdict; a URL that turns healthy starts with a closed breaker. */
  setHealthy(base: UpstreamBase, healthy: boolean): void {
    const member = this.byBase.get(base);
    if (member === undefined || member.healthy === healthy) return;
    member.healthy = healthy;
    if (healthy) {
      member.breaker = 'closed';
      member.failures = 0;
    }
  }

  /** Per URL: healthy, breaker state, requests waiting (logs, tests). */
  describe(): { url: string; healthy: boolean; breaker: string; inFlight: number }[] {
    return this.members.map((m) => ({
      url: m.base.prefix,
      healthy: m.healthy,
      breaker: m.breaker,
      inFlight: m.inFlight,
    }));
  }

  private roundRobin(avoid: UpstreamBase | undefined): Member | undefined {
    const count = this.members.length;
    const now = this.options.now();
    for (let tried = 0; tried < count; tried++) {
      const index = this.cursor;
      this.cursor = index + 1 === count ? 0 : index + 1;
      const member = this.members[index] as Member;
      if (member.base !== avoid && member.available(now, true)) return member;
    }
    return undefined;
  }

  private leastRequests(avoid: UpstreamBase | undefined): Member | undefined {
    const count = this.members.length;
    const now = this.options.now();
    let best: Member | undefined;
    // Start at the cursor so ties rotate instead of always landing on the first URL.
    for (let offset = 0; offset < count; offset++) {
      const member = this.members[(this.cursor + offset) % count] as Member;
      if (member.base === avoid || !member.available(now, false)) continue;
      if (best === undefined || member.inFlight < best.inFlight) best = member;
    }
    this.cursor = this.cursor + 1 === count ? 0 : this.cursor + 1;
    if (best !== undefined) best.available(now, true);
    return best;
  }
}
