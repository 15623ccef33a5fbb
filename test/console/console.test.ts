import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfigSource } from '../../src/adapters/node/config-source.js';
import { startGatehouse, type RunningGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import { canonicalizePath } from '../../src/router/canonical-path.js';
import { launchChromium } from '../helpers/chromium.js';
import { consoleConfig, consoleToken } from './console-config.js';

/**
 * The web console end to end (docs/CONSOLE.md): a gateway started by the same code as
 * `gatehouse start`, with an admin listener on 127.0.0.1, real traffic to its public port, and
 * Debian's chromium reading what the page shows.
 */
const BUILD_CONSOLE = fileURLToPath(new URL('../../scripts/build-console.mjs', import.meta.url));

let dir: string;
let configPath: string;
let gatehouse: RunningGatehouse;
let browser: Browser;
let page: Page;
let admin: string;

beforeAll(async () => {
  execFileSync(process.execPath, [BUILD_CONSOLE], { stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-console-'));
  configPath = join(dir, 'api-config.json');
  writeFileSync(configPath, JSON.stringify(consoleConfig()));
  gatehouse = await startGatehouse({
    source: resolveConfigSource(configPath, {}),
    env: {},
    port: 0,
    admin: { port: 0, host: '127.0.0.1' },
  });
  admin = gatehouse.adminUrl as string;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
  await gatehouse?.close(0);
  rmSync(dir, { recursive: true, force: true });
});

async function tableRows(selector: string): Promise<string[][]> {
  return page.$$eval(`${selector} tbody tr`, (rows) =>
    rows.map((row) => [...row.querySelectorAll('td, th')].map((cell) => (cell.textContent ?? '').trim())),
  );
}

describe('console: routes', () => {
  it('lists the routes in the router precedence order, not the config order', async () => {
    await page.goto(`${admin}/#/routes`);
    await page.waitForSelector('[data-testid=route-table] tbody tr');
    const rows = await tableRows('[data-testid=route-table]');
    const expected = gatehouse.runtime
      .current()
      .router.list()
      .map((r) => `${r.method} ${r.path}`);
    expect(rows.map((r) => `${r[1]} ${r[2]}`)).toEqual(expected);
    // Literal before parameter before wildcard: the config lists them the other way round.
    expect(rows.map((r) => r[2])).toEqual([
      '/orders/new',
      '/health',
      '/orders',
      '/orders/{id}',
      '/orders/{.+}',
    ]);
    const byPath = new Map(rows.map((r) => [r[2], r]));
    expect(byPath.get('/orders/{id}')?.slice(3, 6)).toEqual(['static 200', 'default', 'orders:read']);
    expect(byPath.get('/orders/{.+}')?.[3]).toBe('http_proxy → orders-service');
    expect(byPath.get('/health')?.[6]).toBe('per_ip (1000/60 s)');
    expect(byPath.get('/orders/new')?.[6]).toBe('—');
  });

  it('the winner box agrees with the router for each request it is asked about', async () => {
    const compiled = gatehouse.runtime.current();
    for (const [method, path] of [
      ['GET', '/orders/new'],
      ['GET', '/orders/42'],
      ['DELETE', '/orders/42'],
      ['GET', '/orders/42/items'],
      ['POST', '/health'],
      ['GET', '/nothing/here'],
    ] as const) {
      await page.selectOption('select[name=method]', method);
      await page.fill('input[name=path]', path);
      await page.click('button:has-text("Explain")');
      await page.waitForFunction(
        (want) => document.querySelector('[data-testid=which-result] pre')?.textContent?.startsWith(want),
        `${method} ${path} `,
      );
      const shown = (await page.textContent('[data-testid=which-winner]'))?.trim();
      const match = compiled.router.match(method, canonicalizePath(path));
      if (match.kind === 'found') {
        expect(shown).toBe(`${match.value.method} ${match.value.path}`);
        const highlighted = await page.getAttribute('tr.winner', 'data-route-index');
        expect(Number(highlighted)).toBe(match.value.index);
      } else {
        expect(shown).toContain(match.kind === 'not-found' ? '404' : '405');
      }
      const lines = (await page.textContent('[data-testid=which-result] pre')) ?? '';
      expect(lines).toBe(compiled.router.explain(method, canonicalizePath(path)).lines.join('\n'));
    }
  });
});

describe('console: live traffic and the 401 doctor', () => {
  it('shows a 401 made by a request in the tail within 2 s, with its code, linking to the doctor', async () => {
    await page.goto(`${admin}/#/traffic`);
    await page.waitForSelector('[data-testid=connection]:has-text("Live")');
    const sent = Date.now();
    const response = await fetch(`${gatehouse.url}/orders/42`);
    expect(response.status).toBe(401);
    const row = await page.waitForSelector('[data-testid=tail] tr[data-status="401"]', { timeout: 2000 });
    expect(Date.now() - sent).toBeLessThan(2000);
    expect((await row.textContent()) ?? '').toContain('GET /orders/{id}');
    expect(await (await row.$('[data-testid=code]'))?.textContent()).toBe('AUTH_ERROR');
    expect(await (await row.$('[data-testid=check]'))?.textContent()).toBe('authorization');

    // Traffic of other kinds, then the filters.
    expect((await fetch(`${gatehouse.url}/health`)).status).toBe(200);
    await page.waitForSelector('[data-testid=tail] tr[data-status="200"]', { timeout: 2000 });
    await page.selectOption('select[name=status]', '4xx');
    expect(
      await page.$$eval('[data-testid=tail] tbody tr', (rows) =>
        rows.map((r) => r.getAttribute('data-status')),
      ),
    ).toEqual(['401']);
    await page.selectOption('select[name=status]', '');

    // Paused: new entries are held, not shown, until resumed.
    await page.click('[data-testid=pause]');
    expect((await fetch(`${gatehouse.url}/orders/new`)).status).toBe(200);
    await page.waitForSelector('[data-testid=pause]:has-text("1 new")', { timeout: 2000 });
    expect(await page.$$('[data-testid=tail] tbody tr')).toHaveLength(2);
    await page.click('[data-testid=pause]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=tail] tbody tr').length === 3);

    // The per-route summary comes from the same window as the charts.
    await page.waitForSelector('[data-testid=route-summary] tbody tr', { timeout: 7000 });
    const summary = await tableRows('[data-testid=route-summary]');
    expect(summary.find((r) => r[0] === 'GET /orders/{id}')?.[1]).toBe('1');
    expect(await page.$$('.chart canvas')).toHaveLength(3);

    await page.click('[data-testid=tail] tr[data-status="401"] a:has-text("Diagnose")');
    await page.waitForSelector('#doctor-token');
    expect(await page.inputValue('input[name=path]')).toBe('/orders/42');
    expect(await page.textContent('[data-testid=from-tail]')).toContain(
      'AUTH_ERROR at check authorization: Authorization header refused',
    );
    // The request carried no token: diagnosing with none gives the same check and a fix.
    await page.click('button:has-text("Diagnose")');
    await page.waitForSelector('[data-testid=failing-check]');
    expect(await page.textContent('[data-testid=failing-check]')).toBe('Failing check: authorization');
    expect(await page.textContent('[data-testid=doctor-verdict]')).toContain('401 AUTH_ERROR');
    expect(await page.textContent('[data-testid=likely-fix]')).toContain('Authorization: Bearer');
  });

  it('the doctor names the failing check for an expired token', async () => {
    const expired = await consoleToken({}, Math.floor(Date.now() / 1000) - 300);
    const answer = await fetch(`${gatehouse.url}/orders/42`, {
      headers: { authorization: `Bearer ${expired}` },
    });
    expect(answer.status).toBe(401);
    await page.goto(`${admin}/#/doctor?method=GET&path=/orders/42`);
    await page.fill('#doctor-token', `Bearer ${expired}`);
    await page.click('button:has-text("Diagnose")');
    await page.waitForSelector('[data-testid=failing-check]');
    expect(await page.textContent('[data-testid=failing-check]')).toBe('Failing check: exp');
    expect(await page.textContent('[data-testid=doctor-verdict]')).toContain('401 ERR_JWT_EXPIRED');
    expect(await page.textContent('[data-testid=expiry]')).toMatch(/^Expired \d+ min ago\.$/);
    const failed = await page.$$eval('[data-testid=checks] tr.fail th', (cells) =>
      cells.map((c) => c.textContent),
    );
    expect(failed).toEqual(['exp']);
    expect(await page.textContent('[data-testid=doctor-result]')).toContain('"sub": "user-7"');
  });

  it('the doctor names the failing check for a wrong audience, and the route scope check', async () => {
    const wrongAudience = await consoleToken({ aud: 'another-api' });
    await page.fill('#doctor-token', wrongAudience);
    await page.click('button:has-text("Diagnose")');
    await page.waitForSelector('[data-testid=checks] tr[data-check=aud].fail');
    expect(await page.textContent('[data-testid=failing-check]')).toBe('Failing check: aud');
    expect(await page.textContent('[data-testid=likely-fix]')).toMatch(/^Likely fix: .+/);

    const noScope = await consoleToken({ scope: 'orders:write' });
    await page.fill('#doctor-token', noScope);
    await page.click('button:has-text("Diagnose")');
    await page.waitForSelector('[data-testid=checks] tr[data-check=scope].fail');
    expect(await page.textContent('[data-testid=doctor-verdict]')).toContain('403 ERR_INSUFFICIENT_SCOPE');

    const good = await consoleToken();
    await page.fill('#doctor-token', good);
    await page.click('button:has-text("Diagnose")');
    await page.waitForSelector('[data-testid=doctor-verdict].ok');
    expect(await page.$('[data-testid=failing-check]')).toBeNull();
  });
});

describe('console: config', () => {
  it('shows the source, hash and a refused reload with its problems', async () => {
    await page.goto(`${admin}/#/config`);
    await page.waitForSelector('[data-testid=config-facts]');
    expect(await page.textContent('[data-testid=config-facts]')).toContain(configPath);
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    const hash = /gatehouse_config_info\{hash="([0-9a-f]+)"/.exec(metrics)?.[1];
    expect(await page.textContent('[data-testid=config-hash]')).toBe(hash);

    writeFileSync(
      configPath,
      JSON.stringify({ ...consoleConfig(), paths: [{ method: 'FETCH', path: 'x' }] }),
    );
    const result = await gatehouse.runtime.reload();
    expect(result.ok).toBe(false);
    await page.reload();
    await page.waitForSelector('[data-testid=reload-outcome]');
    expect(await page.textContent('[data-testid=reload-outcome]')).toContain(
      'the previous config keeps serving',
    );
    expect(await page.textContent('[data-testid=reload-problems]')).toContain('/paths/0');
    writeFileSync(configPath, JSON.stringify(consoleConfig()));
  });
});

describe('console: usable', () => {
  it('reaches every view by keyboard, with labelled controls, in both colour schemes', async () => {
    await page.goto('about:blank');
    await page.goto(`${admin}/#/routes`);
    await page.waitForSelector('[data-testid=route-table] tbody tr');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Live traffic');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    expect(await page.textContent('h1')).toBe('Live traffic');
    // Every form control has an accessible name.
    for (const view of ['routes', 'traffic', 'doctor']) {
      await page.goto(`${admin}/#/${view}`);
      await page.waitForSelector('main form');
      const unnamed = await page.$$eval('main input, main select, main textarea, main button', (controls) =>
        controls
          .filter((c) => {
            const label = (c as HTMLInputElement).labels?.length ?? 0;
            return label === 0 && !c.getAttribute('aria-label') && !(c.textContent ?? '').trim();
          })
          .map((c) => c.outerHTML),
      );
      expect(unnamed).toEqual([]);
      // No horizontal scrolling of the page at 1024 px.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    }
    const backgrounds: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      backgrounds.push(await page.evaluate(() => getComputedStyle(document.body).backgroundColor));
    }
    expect(backgrounds[0]).not.toBe(backgrounds[1]);
  });
});
