import { createHash } from 'node:crypto';
import type { CompiledGateway } from '../../../assembly/compile-gateway.js';

const hashes = new WeakMap<CompiledGateway, string>();

/**
 * A short hash of the served config's content: the `hash` label of `gatehouse_config_info` and
 * the hash the web console shows, so both name the same config. Computed once per config.
 */
export function configHash(compiled: CompiledGateway): string {
  let hash = hashes.get(compiled);
  if (hash === undefined) {
    hash = createHash('sha256').update(JSON.stringify(compiled.config)).digest('hex').slice(0, 12);
    hashes.set(compiled, hash);
  }
  return hash;
}
