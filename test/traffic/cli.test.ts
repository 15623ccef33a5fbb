import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyHash } from '../../src/consumers/hash.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { GATEHOUSE_BIN, runGatehouse } from '../helpers/cli-process.js';
import { spawn } from 'node:child_process';

/** `gatehouse keys new`, a key in use through `gatehouse start`, and keys never in the logs. */
let dir: string;
let upstream: RecordingUpstream;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-keys-'));
  upstream = await startRecordingUpstream();
});
afterAll(async () => {
  await upstream?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('gatehouse keys new', () => {
  it('prints a random key, its sha256: hash, and with --consumer the config snippet', async () => {
    const result = await runGatehouse(['keys', 'new', '--consumer', 'acme']);
    expect(result.code).toBe(0);
    const key = /^key: {2}(gh_[A-Za-z0-9_-]{43})$/m.exec(result.stdout)?.[1] as string;
    const hash = /^hash: (sha256:[0-9a-f]{64})$/m.exec(result.stdout)?.[1];
    expect(key).toBeDefined();
    expect(hash).toBe(keyHash(key));
    expect(result.stdout).toContain(`"key_hashes": [\n        "${hash}"`);
    const again = await runGatehouse(['keys', 'new']);
    expect(again.stdout).not.toContain(key);
  });

  it('refuses an unknown subcommand', async () => {
    const result = await runGatehouse(['keys', 'rotate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: gatehouse keys new [--consumer NAME]');
  });
});

describe('keys through gatehouse start', () => {
  it('accepts the key, and neither the key nor a config key appears in the logs', async () => {
    const key = 'plain-config-key-0123456789abcdefghijkl';
    const client = 'hashed-client-key-0123456789abcdefghijkl';
    const file = join(dir, 'api-config.json');
    await writeFile(
      file,
      JSON.stringify({
        servers: [{ alias: 'up', url: upstream.url }],
        consumers: { plain: { keys: ['$secret.PLAIN_KEY'] }, hashed: { key_hashes: [keyHash(client)] } },
        authorizers: { keys: { type: 'api_key', query: 'k' } },
        paths: [
          { method: 'GET', path: '/k/{.+}', auth: 'keys', integration: { type: 'http_proxy', server: 'up' } },
        ],
      }),
    );
    const child = spawn(
      process.execPath,
      [GATEHOUSE_BIN, 'start', '--config', file, '--port', '0', '--log-level', 'debug'],
      {
        env: { ...process.env, PLAIN_KEY: key },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 15_000;
      while (!/http:\/\/[\d.]+:\d+/.test(output) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const url = /http:\/\/[\d.]+:\d+/.exec(output)?.[0] as string;
      expect((await fetch(`${url}/k/a`, { headers: { 'x-api-key': key } })).status).toBe(200);
      expect((await fetch(`${url}/k/b`, { headers: { 'x-api-key': client } })).status).toBe(200);
      expect((await fetch(`${url}/k/c`, { headers: { 'x-api-key': `${client}x` } })).status).toBe(401);
      expect((await fetch(`${url}/k/d?k=${key}&x=1`)).status).toBe(200);
      expect((await fetch(`${url}/k/e?k=${key}x`)).status).toBe(401);
      await new Promise((r) => setTimeout(r, 200));
      expect(output).toContain('"consumer":"plain"');
      expect(output).toContain('/k/d?k=REDACTED&x=1');
      expect(output).not.toContain(key);
      expect(output).not.toContain(client);
    } finally {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      await exited;
    }
  });
});

describe('gatehouse validate', () => {
  it('refuses a Durable Object store on Node, naming the field', async () => {
    const file = join(dir, 'do.json');
    await writeFile(
      file,
      JSON.stringify({
        rate_limits: { p: { limit: 1, window_s: 1 } },
        gateway: { rate_limit_store: { type: 'durable_object', binding: 'RATE_LIMITER' } },
        paths: [{ method: 'GET', path: '/', rate_limit: 'p', response: {} }],
      }),
    );
    const result = await runGatehouse(['validate', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '/gateway/rate_limit_store: the "durable_object" store exists on Cloudflare Workers only; on Node use "memory" or "redis"',
    );
  });
});
