import { base64url } from 'jose';
import { asSessionRecord, type SessionRecord } from './record.js';
import { SESSION_KEY_PREFIX } from './server-store.js';
import type { SessionSettings } from './settings.js';

/**
 * Reading and writing a browser session in its sealed cookie (sealed-cookie.ts) — or, with
 * `session.store`, in the server-side store, the sealed cookie carrying only its id. The cookie's
 * own expiry is the earlier of the absolute lifetime (`ttl_s` from login) and the idle lifetime
 * (`idle_ttl_s` from the last request that touched it), so an expired session simply no longer
 * opens. Activity refreshes the idle deadline at most once per IDLE_TOUCH_FRACTION of it, so
 * most requests re-encrypt nothing.
 */
const IDLE_TOUCH_FRACTION = 0.1;

export function sessionExpiry(settings: SessionSettings, record: SessionRecord): number {
  return Math.min(record.ct + settings.ttlMs, record.la + settings.idleTtlMs);
}

/** The `Set-Cookie` lines that keep `record` (in the cookie, or in the store under its id). */
export async function sealSession(
  settings: SessionSettings,
  record: SessionRecord,
  now: number,
  secure: boolean,
  cookieHeader: string | null,
): Promise<string[]> {
  const expiry = sessionExpiry(settings, record);
  const { store } = settings;
  if (!store) return settings.cookies.seal({ ...record }, expiry, now, secure, cookieHeader);
  const sid = record.sid ?? randomId();
  const { sid: _omitted, ...stored } = record;
  await store.put(SESSION_KEY_PREFIX + sid, JSON.stringify(stored), (expiry - now) / 1000);
  return settings.cookies.seal({ sid }, expiry, now, secure, cookieHeader);
}

export async function openSession(
  settings: SessionSettings,
  cookieHeader: string | null,
  now: number,
): Promise<SessionRecord | undefined> {
  const record = await readSession(settings, await settings.cookies.open(cookieHeader, now));
  if (!record || sessionExpiry(settings, record) <= now) return undefined;
  return record;
}

/**
 * The session a logout ends, expired or not (its ID token is the provider's `id_token_hint`);
 * with a store, the record is deleted there too.
 */
export async function endSession(
  settings: SessionSettings,
  cookieHeader: string | null,
): Promise<SessionRecord | undefined> {
  const record = await readSession(settings, await settings.cookies.open(cookieHeader, 0));
  if (settings.store && record?.sid !== undefined)
    await settings.store.delete(SESSION_KEY_PREFIX + record.sid);
  return record;
}

async function readSession(
  settings: SessionSettings,
  payload: Record<string, unknown> | undefined,
): Promise<SessionRecord | undefined> {
  if (!settings.store) return asSessionRecord(payload);
  const sid = payload?.sid;
  if (typeof sid !== 'string' || !/^[\w-]{43}$/.test(sid)) return undefined;
  return readStoredSession(settings, sid);
}

/** The record of session `sid` as the server-side store holds it now (another process may have renewed it). */
export async function readStoredSession(
  settings: SessionSettings,
  sid: string,
): Promise<SessionRecord | undefined> {
  const { store } = settings;
  if (!store) return undefined;
  const text = await store.get(SESSION_KEY_PREFIX + sid);
  if (text === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = asSessionRecord(value as Record<string, unknown>);
  return record ? { ...record, sid } : undefined;
}

/** Forgets session `sid` in the server-side store: every copy of its cookie stops opening. */
export async function forgetStoredSession(settings: SessionSettings, sid: string): Promise<void> {
  await settings.store?.delete(SESSION_KEY_PREFIX + sid);
}

/** 32 random bytes, base64url: the session id a server-side session's cookie carries. */
export function randomId(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
}

/** True when the idle deadline should be pushed forward on this request. */
export function wantsTouch(settings: SessionSettings, record: SessionRecord, now: number): boolean {
  return now - record.la >= settings.idleTtlMs * IDLE_TOUCH_FRACTION;
}
