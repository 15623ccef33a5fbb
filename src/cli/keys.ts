import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { keyHash } from '../consumers/hash.js';
import type { CliIo } from './io.js';

/**
 * `gatehouse keys new [--consumer NAME]` (docs/TRAFFIC.md "API keys"): prints a new random API
 * key (32 random bytes, base64url, prefixed `gh_`) and its `sha256:` hash. Give the key to the
 * client; put only the hash in the config (`consumers.NAME.key_hashes`) or in KV. With
 * `--consumer`, the config snippet to paste is printed too. Nothing is written anywhere.
 */
export const KEYS_USAGE = 'gatehouse keys new [--consumer NAME]';

export function newApiKey(): string {
  return `gh_${randomBytes(32).toString('base64url')}`;
}

export function runKeys(argv: string[], io: CliIo): number {
  const [sub, ...rest] = argv;
  if (sub !== 'new') {
    io.stderr(
      `${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}\nusage: ${KEYS_USAGE}`,
    );
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { consumer: { type: 'string' } } });
  const key = newApiKey();
  const hash = keyHash(key);
  io.stdout(`key:  ${key}`);
  io.stdout(`hash: ${hash}`);
  if (values.consumer !== undefined) {
    io.stdout(JSON.stringify({ consumers: { [values.consumer]: { key_hashes: [hash] } } }, null, 2));
  }
  return 0;
}
