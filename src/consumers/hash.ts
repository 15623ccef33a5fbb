import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/**
 * SHA-256 of an API key, synchronous on both runtimes (Web Crypto's digest is asynchronous,
 * which would cost the key check a promise per request). `@noble/hashes` is audited, dependency
 * free and runs unchanged on Node and Workers.
 */
export const KEY_HASH_PREFIX = 'sha256:';

/** A synchronous SHA-256 of a key's UTF-8 bytes. */
export type KeyDigester = (key: string) => Uint8Array;

export function keyDigest(key: string): Uint8Array {
  return sha256(utf8ToBytes(key));
}

export function digestHex(digest: Uint8Array): string {
  return bytesToHex(digest);
}

/** `sha256:<64 lower-case hex>`: the form `consumers.*.key_hashes` and `gatehouse keys new` use. */
export function keyHash(key: string): string {
  return KEY_HASH_PREFIX + digestHex(keyDigest(key));
}

/** Compares two digests in time that depends only on their length (RFC 6238 §5.2 style). */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}

export function hexToDigest(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
