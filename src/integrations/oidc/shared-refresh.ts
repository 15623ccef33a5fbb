import type { RequestContext } from '../../context.js';
import type { SessionRecord } from '../../session/record.js';
import { REFRESH_LEASE_PREFIX, type SessionStore } from '../../session/server-store.js';
import type { SessionSettings } from '../../session/settings.js';
import { forgetStoredSession, randomId, readStoredSession } from '../../session/store.js';

/**
 * Refresh across processes (docs/FLOWS.md "Refresh across processes"). When several gateway
 * processes or Worker isolates share one server-side session store, a session whose access
 * token is due is refreshed once, not once per process: the request that takes the session's
 * lease in the store (`gatehouse:session-refresh:{id}`; Redis `SET NX PX`) re-reads the record,
 * makes the one refresh grant unless another process already did, and writes the renewed
 * record before giving the lease back. The others poll the record every POLL_MS and use the
 * renewed tokens as soon as they appear — so a provider that rotates refresh tokens sees each
 * one once. A refresh the provider refuses ends the session in the store for everyone.
 * A lease holder that dies is outlived: the lease expires after the provider timeout plus a
 * margin, and a waiter that has waited that long refreshes itself.
 */
const POLL_MS = 50;
/** Added to the provider timeout: the lease outlives the grant it guards, then expires. */
export const LEASE_MARGIN_MS = 2000;

export type SharedRefreshOutcome =
  /** This request renewed the session; `cookies` keep it (the store was written already). */
  | { readonly kind: 'renewed'; readonly record: SessionRecord; readonly cookies: string[] }
  /** Another request (here or in another process) renewed it: use the stored record. */
  | { readonly kind: 'reused'; readonly record: SessionRecord }
  /** The session is over, and why. */
  | { readonly kind: 'ended'; readonly reason: string };

export interface SharedRefreshInput {
  readonly session: SessionSettings;
  readonly store: SessionStore;
  readonly record: SessionRecord & { readonly sid: string };
  readonly leaseMs: number;
  now(): number;
  /** The refresh grant for a record: the renewed record, or why the session is over. */
  refresh(record: SessionRecord): Promise<SessionRecord | string>;
  /** Writes the renewed record (and answers its cookie lines). */
  save(record: SessionRecord): Promise<string[]>;
}

export async function refreshOnce(
  ctx: RequestContext,
  input: SharedRefreshInput,
): Promise<SharedRefreshOutcome> {
  const { store, record, session } = input;
  const key = REFRESH_LEASE_PREFIX + record.sid;
  const token = randomId();
  const giveUpAt = input.now() + input.leaseMs + POLL_MS;
  for (;;) {
    if (await store.acquireLease(key, token, input.leaseMs)) {
      try {
        const current = await readStoredSession(session, record.sid);
        if (!current) return { kind: 'ended', reason: 'session ended while its refresh was waiting' };
        return await renewHolding(ctx, input, current);
      } finally {
        await store.releaseLease(key, token).catch(() => undefined);
      }
    }
    await sleep(POLL_MS);
    const current = await readStoredSession(session, record.sid);
    if (!current) return { kind: 'ended', reason: 'session ended while another request refreshed it' };
    if (current.at !== record.at) {
      ctx.log.session = 'refresh shared';
      return { kind: 'reused', record: current };
    }
    if (input.now() > giveUpAt) {
      // The holder died or hangs past its lease: refresh here rather than fail the request.
      ctx.log.session = 'lease timed out';
      return renewHolding(ctx, input, current);
    }
  }
}

/** With the lease (or past it): refresh unless the stored record was renewed meanwhile. */
async function renewHolding(
  ctx: RequestContext,
  input: SharedRefreshInput,
  current: SessionRecord,
): Promise<SharedRefreshOutcome> {
  if (current.at !== input.record.at) {
    ctx.log.session = 'refresh shared';
    return { kind: 'reused', record: current };
  }
  const renewed = await input.refresh(current);
  if (typeof renewed === 'string') {
    await forgetStoredSession(input.session, input.record.sid);
    return { kind: 'ended', reason: renewed };
  }
  ctx.log.session = 'refreshed';
  return { kind: 'renewed', record: renewed, cookies: await input.save(renewed) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
