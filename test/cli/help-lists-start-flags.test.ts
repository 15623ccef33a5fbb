import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runGatehouse } from '../helpers/cli-process.js';

/**
 * `gatehouse help` and the README's synopsis name every flag `gatehouse start` accepts: the TLS
 * and h2c flags were once accepted but listed in neither, so a user reading only the help could
 * not find HTTPS (docs/PROTOCOLS.md "TLS and HTTP/2").
 */
const START_SOURCE = readFileSync(new URL('../../src/cli/start.ts', import.meta.url), 'utf8');
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The option names of start's parseArgs table (`name: { type: … }` or `'name': { type: … }`). */
const startFlags = [
  ...START_SOURCE.matchAll(/^\s+'?([a-z][a-z0-9-]*)'?: \{ type: '(?:string|boolean)'/gm),
].map((match) => `--${match[1] as string}`);

describe('gatehouse help', () => {
  it('lists every flag of gatehouse start, as the README does', async () => {
    expect(startFlags).toEqual(
      expect.arrayContaining(['--config', '--tls-cert', '--tls-key', '--h2c', '--workers']),
    );
    const { code, stdout } = await runGatehouse(['help']);
    expect(code).toBe(0);
    const synopsis = README.slice(README.indexOf('gatehouse start '), README.indexOf('gatehouse validate'));
    for (const flag of startFlags) {
      expect(stdout, flag).toContain(flag);
      expect(synopsis, flag).toContain(flag);
    }
  });
});
