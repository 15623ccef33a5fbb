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
}

export const SESSION_KEY_PREFIX = 'gatehouse:session:';

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

export function kvSessionStore(namespace: KvLike): SessionStore {
  return {
    get: (key) => namespace.get(key),
    put: (key, value, ttlSeconds) =>
      namespace.put(key, value, { expirationTtl: Math.max(KV_MIN_TTL_S, Math.ceil(ttlSeconds)) }),
    delete: (key) => namespace.delete(key),
  };
}
