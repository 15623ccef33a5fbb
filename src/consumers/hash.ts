import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/**
 * SHA-256 of an API key as 64 lower-case hex digits, synchronous on both runtimes (Web Crypto's
 * digest is asynchronous, which would cost the key check a promise per request).
 * `@noble/hashes` is audited, dependency free and runs unchanged on Node and Workers; Node
 * passes its native one-shot hash instead (Platform.sha256Hex), which is several times faster.
 * Hex text rather than bytes: a string result allocates no ArrayBuffer per request, which in the
 * gateway cost more (garbage-collection time) than the hashing itself.
 */
export const KEY_HASH_PREFIX = 'sha256:';

/** A synchronous SHA-256 of a key's UTF-8 bytes, as lower-case hex. */
export type KeyDigester = (key: string) => string;

export const keyDigestHex: KeyDigester = (key) => bytesToHex(sha256(utf8ToBytes(key)));

/** `sha256:<64 lower-case hex>`: the form `consumers.*.key_hashes` and `gatehouse keys new` use. */
export function keyHash(key: string, digest: KeyDigester = keyDigestHex): string {
  return KEY_HASH_PREFIX + digest(key);
}

/** Compares two digests' hex in time that depends only on their length. */
export function digestsEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
