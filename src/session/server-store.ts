/**
 * A server-side home for browser sessions (docs/FLOWS.md "Browser sessions"), used instead of
 * keeping the tokens in the cookie when `session.store` is set: the cookie then carries only a
 * sealed random session id, and the record lives under `gatehouse:session:{id}` with a TTL.
 * Logout deletes it, so a copied cookie is dead at once — which a cookie-only session cannot
 * offer. Runtime-neutral: a Workers KV namespace (or any binding with the same get/put/delete)
 * is wrapped here; Redis comes from the Node adapter (src/adapters/node/redis-session-store.ts).
 */
export interface SessionStore {
  get(key: string): Promise<string | null>;
  /** Stores `value` for `ttlSeconds` (at least 1). */
  put(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Takes the lease `key` for `ttlMs` when nobody holds it, stamped with `token`; true when
   * taken (docs/FLOWS.md "Refresh across processes"). Redis: one `SET key token NX PX ttl`, atomic.
   */
  acquireLease(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease back if it is still the one stamped with `token`. */
  releaseLease(key: string, token: string): Promise<void>;
  /** True when the lease is atomic across every process sharing the store (Redis); false: KV. */
  readonly atomicLeases: boolean;
}

export const SESSION_KEY_PREFIX = 'gatehouse:session:';
/** The refresh lease of session `{id}` (refresh-lease.ts). */
export const REFRESH_LEASE_PREFIX = 'gatehouse:session-refresh:';

/** Workers KV keeps values at least 60 seconds (its minimum `expirationTtl`). */
const KV_MIN_TTL_S = 60;

interface KvLike {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

export function isKvLike(value: unknown): value is KvLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.get === 'function' &&
    typeof candidate.put === 'function' &&
    typeof candidate.delete === 'function'
  );
}

/**
 * A KV namespace as the session store. KV has no atomic create, and it is eventually consistent
 * between locations, so its lease is best effort: read, write `token.expiry`, read back — two
 * isolates in one location see each other's lease (what the workerd tests exercise), two in
 * different locations may both take it (docs/FLOWS.md "Refresh across processes"). The expiry
 * inside the value ends a lease on time even though KV keeps the key at least 60 seconds.
 */
export function kvSessionStore(namespace: KvLike, now: () => number = Date.now): SessionStore {
  const held = async (key: string): Promise<{ token: string; until: number } | undefined> => {
    const value = await namespace.get(key);
    const dot = value?.lastIndexOf('.') ?? -1;
    if (!value || dot < 0) return undefined;
    const until = Number(value.slice(dot + 1));
    return until > now() ? { token: value.slice(0, dot), until } : undefined;
  };
  return {
    get: (key) => namespace.get(key),
    put: (key, value, ttlSeconds) =>
      namespace.put(key, value, { expirationTtl: Math.max(KV_MIN_TTL_S, Math.ceil(ttlSeconds)) }),
    delete: (key) => namespace.delete(key),
    async acquireLease(key, token, ttlMs) {
      if (await held(key)) return false;
      await namespace.put(key, `${token}.${now() + ttlMs}`, { expirationTtl: KV_MIN_TTL_S });
      return (await held(key))?.token === token;
    },
    async releaseLease(key, token) {
      if ((await held(key))?.token === token) await namespace.delete(key);
    },
    atomicLeases: false,
  };
}
