import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGatehouse, startGatehouseProcess } from '../helpers/cli-process.js';

/**
 * Class: HMAC secrets shorter than the hash (RFC 7518 §3.2: HS256/384/512 need 32/48/64 bytes).
 * A short secret can be brute-forced offline from one token. `validate`, `start` and a reload
 * refuse it, naming the pointer and the length; `allow_weak_secret: true` turns it into a
 * warning for configs being migrated.
 */
let dir: string;

const config = (authorizer: object): object => ({
  authorizer: { type: 'jwt', ...authorizer },
  paths: [{ method: 'GET', path: '/p', auth: true, response: { ok: true } }],
});

async function write(name: string, value: object): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(value));
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-weak-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('weak HMAC secrets', () => {
  it.each([
    [{ secret: 'x'.repeat(31) }, 'HMAC secret is 31 bytes; HS256 needs at least 32'],
    [{ secret: 'x'.repeat(47), algorithm: 'HS384' }, 'HMAC secret is 47 bytes; HS384 needs at least 48'],
    [
      { secret: 'x'.repeat(63), algorithms: ['HS256', 'HS512'] },
      'HMAC secret is 63 bytes; HS512 needs at least 64',
    ],
  ])('validate refuses %j', async (authorizer, message) => {
    const file = await write('weak.json', config(authorizer));
    const result = await runGatehouse(['validate', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`/authorizer/secret: ${message}`);
  });

  it('start refuses it before listening', async () => {
    const file = await write('weak-start.json', config({ secret: 'short' }));
    const result = await runGatehouse(['start', '--config', file, '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('http://');
    expect(result.stderr).toContain('/authorizer/secret: HMAC secret is 5 bytes');
  });

  it('allow_weak_secret makes it a warning, and the gateway serves', async () => {
    const file = await write('migrating.json', config({ secret: 'short', allow_weak_secret: true }));
    const result = await runGatehouse(['validate', '--config', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('/authorizer/secret: HMAC secret is 5 bytes');
  });

  it('a reload to a weak secret is refused and the previous config keeps serving', async () => {
    const file = await write('reload.json', config({ secret: 's'.repeat(32) }));
    const gatehouse = await startGatehouseProcess(['--config', file]);
    try {
      await writeFile(
        file,
        JSON.stringify({
          ...config({ secret: 'short' }),
          paths: [{ method: 'GET', path: '/weak', response: { weak: true } }],
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect((await fetch(`${gatehouse.url}/weak`)).status).toBe(404);
      expect((await fetch(`${gatehouse.url}/p`)).status).toBe(401);
    } finally {
      expect(await gatehouse.stop()).toBe(0);
    }
  });
});
