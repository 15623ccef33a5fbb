import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEHOUSE_BIN, runGatehouse, type CliResult } from '../helpers/cli-process.js';

/**
 * The first hour of a new user, through the real `gatehouse` command: the messages for the
 * mistakes everyone makes once (README "The command line", docs/CONFIG.md).
 */
let dir: string;

async function write(name: string, content: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

/** Runs bin/gatehouse.js as an executable, through its shebang, the way `npx gatehouse` does. */
function runExecutable(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(GATEHOUSE_BIN, args, { timeout: 15_000, cwd: dir }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

const SECRET = 'first-hour-secret-that-is-long-enough-0123456789';
const oneRoute = {
  authorizer: { type: 'jwt', secret: '$env.FIRST_HOUR_SECRET' },
  paths: [{ method: 'GET', path: '/me', auth: true, response: { ok: true } }],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-first-hour-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--env-file', () => {
  it('a missing file is a Gatehouse message and exit 2, never Node\'s own "--env-file" (through the shebang)', async () => {
    for (const command of [
      ['start'],
      ['validate'],
      ['routes'],
      ['token', 'mint'],
      ['token', 'check', '--token', 'x'],
    ]) {
      const result = await runExecutable([...command, '--env-file', 'nope.env']);
      expect(result.code, command.join(' ')).toBe(2);
      const name = command[0] === 'token' ? command.slice(0, 2).join(' ') : command[0];
      expect(result.stderr).toContain(`gatehouse ${name}: --env-file nope.env: no such file`);
      expect(result.stderr).not.toContain('node:');
    }
  });

  it('every command reads it: token mint and token check resolve $env from it', async () => {
    const config = await write('env-config.json', oneRoute);
    const envFile = await write('first-hour.env', `FIRST_HOUR_SECRET=${SECRET}\n`);
    const mint = await runGatehouse([
      'token',
      'mint',
      '--config',
      config,
      '--env-file',
      envFile,
      '--sub',
      'alice',
    ]);
    expect(mint.code, mint.stderr).toBe(0);
    const token = mint.stdout.trim();
    const check = await runGatehouse([
      'token',
      'check',
      '--config',
      config,
      '--env-file',
      envFile,
      '--token',
      token,
      '--route',
      'GET /me',
    ]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('verdict: ACCEPTED');
    const routes = await runGatehouse(['routes', '--config', config, '--env-file', envFile]);
    expect(routes.code, routes.stderr).toBe(0);
    const validate = await runGatehouse(['validate', '--config', config, '--env-file', envFile]);
    expect(validate.stdout).toContain('valid (1 route)');
  });

  it('without it, the unset variable is one problem, not a follow-on about the placeholder', async () => {
    const config = await write('env-missing.json', oneRoute);
    const result = await runGatehouse(['validate', '--config', config]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      '/authorizer/secret: references $env.FIRST_HOUR_SECRET but the variable FIRST_HOUR_SECRET is not set',
    ]);
  });
});

describe('config sources and syntax', () => {
  it('no config anywhere: the message lists the sources tried, exit 1', async () => {
    const result = await runGatehouse(['validate'], { cwd: dir, env: { SAG_API_CONFIG_JSON: '' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'no config found; tried --config (not given), the SAG_API_CONFIG_JSON environment variable (not set), ./api-config.json',
    );
    const named = await runGatehouse(['start', '--config', 'nope.json', '--port', '0'], { cwd: dir });
    expect(named.code).toBe(1);
    expect(named.stderr).toContain(
      `config file not found: ${join(dir, 'nope.json')} (from --config nope.json)`,
    );
  });

  it('a JSON syntax error names line and column and shows the line', async () => {
    const file = await write(
      'broken.json',
      '{\n  "paths": [\n    { "method": "GET", "path": "/a" },\n  ]\n}\n',
    );
    const result = await runGatehouse(['validate', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not valid JSON at line 4, column 3');
    expect(result.stderr).toContain('  4 |   ]');
    expect(result.stderr).not.toContain('position');
  });

  it('"/users/:id" and "/files/*" are valid with a hint toward {id} and {.+}', async () => {
    const file = await write('styles.json', {
      paths: [
        { method: 'GET', path: '/users/:id', response: {} },
        { method: 'GET', path: '/files/*', response: {} },
      ],
    });
    const result = await runGatehouse(['validate', '--config', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('write "{id}"');
    expect(result.stderr).toContain('write "{.+}"');
  });
});

describe('start', () => {
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    busy = createServer((_req, res) => res.end('someone else'));
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('a port in use names the port and suggests --port, exit 1', async () => {
    const config = await write('port.json', { paths: [{ method: 'GET', path: '/h', response: {} }] });
    const result = await runGatehouse(['start', '--config', config, '--port', String(port)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(result.stderr).toContain('choose another with --port');
  });

  /** `gatehouse start` on a free public port with `flags`: for failures of the admin listener. */
  const startOnAnyPort = (config: string, flags: string[]): ReturnType<typeof runGatehouse> =>
    runGatehouse(['start', '--config', config, '--port', '0', ...flags]);

  it('an admin port in use names that port and suggests --admin-port, exit 1', async () => {
    const config = await write('admin-port.json', { paths: [{ method: 'GET', path: '/h', response: {} }] });
    const result = await startOnAnyPort(config, ['--admin-port', String(port)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`admin port ${port} on 127.0.0.1 is already in use`);
    expect(result.stderr).toContain('choose another with --admin-port');
    expect(result.stderr).not.toContain('port 0 on');
  });

  it('an admin host it cannot listen on is named with --admin-host, even on --admin-port 0', async () => {
    // Without the console: a console on a non-loopback host would need a token first.
    const config = await write('admin-host.json', {
      gateway: { admin: { port: 0, console: false } },
      paths: [{ method: 'GET', path: '/h', response: {} }],
    });
    // 192.0.2.1 (TEST-NET-1, RFC 5737) is on no interface of this machine.
    const result = await startOnAnyPort(config, ['--admin-port', '0', '--admin-host', '192.0.2.1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot listen on admin host 192.0.2.1');
    expect(result.stderr).toContain('--admin-host');
  });
});

describe('token mint', () => {
  it('without --sub says that the token has no subject', async () => {
    const config = await write('mint.json', oneRoute);
    const result = await runGatehouse(['token', 'mint', '--config', config], {
      env: { FIRST_HOUR_SECRET: SECRET },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('the token has no subject ("sub")');
    const withSub = await runGatehouse(['token', 'mint', '--config', config, '--sub', 'alice'], {
      env: { FIRST_HOUR_SECRET: SECRET },
    });
    expect(withSub.stderr).not.toContain('no subject');
  });
});
