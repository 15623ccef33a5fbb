import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineConfigSource, startGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import { createJsonLogger } from '../../src/observability/logger.js';
import { launchChromium } from '../helpers/chromium.js';
import { runGatehouse, startGatehouseProcess, type StartedGatehouse } from '../helpers/cli-process.js';
import { consoleConfig, consoleToken } from './console-config.js';

/**
 * Who may use the console (docs/CONSOLE.md "Security model"): off loopback the admin token is
 * required, the gateway refuses to start without one, and the browser signs in with a form that
 * sets an HttpOnly cookie. The listeners bind 0.0.0.0 on port 0 only for the length of a test.
 */
const BUILD_CONSOLE = fileURLToPath(new URL('../../scripts/build-console.mjs', import.meta.url));
const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const OFF_LOOPBACK = ['--admin-port', '0', '--admin-host', '0.0.0.0'];

let dir: string;
beforeAll(() => {
  execFileSync(process.execPath, [BUILD_CONSOLE], { stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-console-access-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, admin: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(consoleConfig({ admin })));
  return path;
}

async function adminUrlOf(started: StartedGatehouse): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const match = /Admin listener on (http:\/\/[^\s]+)/.exec(started.output().stdout);
    if (match) return (match[1] as string).replace('0.0.0.0', '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no admin listener line\n${started.output().stdout}`);
}

describe('console access off loopback', () => {
  it('refuses to start without gateway.admin.token, with a clear message', async () => {
    const config = writeConfig('no-token.json', { port: 0 });
    const result = await runGatehouse(['start', '--config', config, '--port', '0', ...OFF_LOOPBACK]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/gateway/admin/token');
    expect(result.stderr).toContain('0.0.0.0, which is not loopback');
    expect(result.stdout).not.toContain('Gatehouse listening');
  });

  it('starts with the console off (gateway.admin.console: false): metrics only', async () => {
    const config = writeConfig('console-off.json', { port: 0, console: false });
    const started = await startGatehouseProcess(['--config', config, ...OFF_LOOPBACK]);
    try {
      const admin = await adminUrlOf(started);
      expect((await fetch(`${admin}/`)).status).toBe(404);
      expect((await fetch(`${admin}/metrics`)).status).toBe(200);
      expect(started.output().stdout).not.toContain('Web console');
    } finally {
      await started.stop();
    }
  });

  describe('with a token', () => {
    let started: StartedGatehouse;
    let admin: string;
    beforeAll(async () => {
      const config = writeConfig('token.json', { port: 0, token: '$env.GATEHOUSE_ADMIN_TOKEN' });
      started = await startGatehouseProcess(['--config', config, ...OFF_LOOPBACK], {
        GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN,
      });
      admin = await adminUrlOf(started);
    });
    afterAll(async () => {
      await started?.stop();
    });

    it('answers the API with 401 ERR_ADMIN_UNAUTHORIZED without the token, and the page with the login form', async () => {
      for (const path of [
        '/api/routes',
        '/api/config',
        '/api/traffic',
        '/api/traffic/stream',
        '/api/routes/which?method=GET&path=/',
      ]) {
        const response = await fetch(`${admin}${path}`);
        expect(response.status, path).toBe(401);
        expect(await response.json()).toEqual({
          error: 'Admin token required',
          code: 'ERR_ADMIN_UNAUTHORIZED',
        });
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse-admin"');
      }
      const doctor = await fetch(`${admin}/api/doctor`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-the-admin-token-at-all' },
        body: JSON.stringify({ token: 'x', method: 'GET', path: '/' }),
      });
      expect(doctor.status).toBe(401);
      const page = await fetch(`${admin}/`, { redirect: 'manual' });
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe('/login');
      // Metrics and health stay open to the scraper and the orchestrator.
      expect((await fetch(`${admin}/metrics`)).status).toBe(200);
    });

    it('accepts the token as a bearer', async () => {
      const response = await fetch(`${admin}/api/routes`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { routes: unknown[] }).routes).toHaveLength(5);
    });

    it('signs a browser in with the form: an HttpOnly cookie that is not the token', async () => {
      const browser = await launchChromium();
      try {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${admin}/`);
        await page.waitForSelector('form[action="/login"]');
        await page.fill('#token', 'a-wrong-token-of-some-length');
        await page.click('button[type=submit]');
        await page.waitForSelector('[role=alert]');
        expect(await page.textContent('[role=alert]')).toContain('not the admin token');
        await page.fill('#token', ADMIN_TOKEN);
        await page.click('button[type=submit]');
        await page.waitForSelector('[data-testid=route-table] tbody tr');
        expect(await page.evaluate(() => document.cookie)).toBe('');
        const [cookie] = await context.cookies();
        expect(cookie?.httpOnly).toBe(true);
        expect(cookie?.sameSite).toBe('Strict');
        expect(cookie?.value).not.toContain(ADMIN_TOKEN);
        // The live tail works over the cookie too (EventSource cannot send a bearer).
        await page.goto(`${admin}/#/traffic`);
        await page.waitForSelector('[data-testid=connection]:has-text("Live")');
        await page.click('button:has-text("Sign out")');
        await page.waitForSelector('form[action="/login"]');
        expect(await context.cookies()).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  });
});

describe('the doctor never logs the token', () => {
  it('leaves no trace of the token in the log, the tail or the answer', async () => {
    const lines: string[] = [];
    const gatehouse = await startGatehouse({
      source: inlineConfigSource(consoleConfig()),
      env: {},
      port: 0,
      admin: { port: 0 },
      logger: createJsonLogger('debug', (line) => lines.push(line)),
    });
    try {
      const token = await consoleToken({}, Math.floor(Date.now() / 1000) - 60);
      const signature = token.split('.')[2] as string;
      const response = await fetch(`${gatehouse.adminUrl}/api/doctor`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, method: 'GET', path: '/orders/1' }),
      });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('ERR_JWT_EXPIRED');
      expect(text).not.toContain(signature);
      const traffic = await (await fetch(`${gatehouse.adminUrl}/api/traffic`)).text();
      expect(traffic).not.toContain(signature);
      expect(lines.join('\n')).not.toContain(signature);
      // A form post (what a cross-site page can send without a preflight) is refused.
      const form = await fetch(`${gatehouse.adminUrl}/api/doctor`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ token, method: 'GET', path: '/orders/1' }),
      });
      expect(form.status).toBe(400);
    } finally {
      await gatehouse.close(0);
    }
  });
});
