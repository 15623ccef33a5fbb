import { asSessionRecord, type SessionRecord } from './record.js';
import type { SessionSettings } from './settings.js';

/**
 * Reading and writing a browser session in its sealed cookie (sealed-cookie.ts). The cookie's
 * own expiry is the earlier of the absolute lifetime (`ttl_s` from login) and the idle lifetime
 * (`idle_ttl_s` from the last request that touched it), so an expired session simply no longer
 * opens. Activity refreshes the idle deadline at most once per IDLE_TOUCH_FRACTION of it, so
 * most requests re-encrypt nothing.
 */
const IDLE_TOUCH_FRACTION = 0.1;

export function sessionExpiry(settings: SessionSettings, record: SessionRecord): number {
  return Math.min(record.ct + settings.ttlMs, record.la + settings.idleTtlMs);
}

export function sealSession(
  settings: SessionSettings,
  record: SessionRecord,
  now: number,
  secure: boolean,
  cookieHeader: string | null,
): Promise<string[]> {
  return settings.cookies.seal({ ...record }, sessionExpiry(settings, record), now, secure, cookieHeader);
}

export async function openSession(
  settings: SessionSettings,
  cookieHeader: string | null,
  now: number,
): Promise<SessionRecord | undefined> {
  const record = asSessionRecord(await settings.cookies.open(cookieHeader, now));
  if (!record || sessionExpiry(settings, record) <= now) return undefined;
  return record;
}

/** True when the idle deadline should be pushed forward on this request. */
export function wantsTouch(settings: SessionSettings, record: SessionRecord, now: number): boolean {
  return now - record.la >= settings.idleTtlMs * IDLE_TOUCH_FRACTION;
}
