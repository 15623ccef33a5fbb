// Regenerates the web console's screenshots in docs/ (docs/CONSOLE.md): serves
// examples/console/api-config.json with two local upstreams, sends a mix of traffic for about
// 40 s (so the charts have several 10 s buckets), then photographs each view in Debian's
// chromium. Run with `npm run screenshots` (it builds first).
import { createServer } from 'node:http';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { resolveConfigSource } from '../dist/adapters/node/config-source.js';
import { inlineConfigSource, startGatehouse } from '../dist/adapters/node/start-gatehouse.js';
import { launchChromium } from './chromium.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = join(root, 'docs');
const TRAFFIC_SECONDS = Number(process.env.TRAFFIC_SECONDS ?? 40);
const SECRET = 'console-demo-secret-change-me-0123456789';

function upstream(baseDelayMs) {
  const server = createServer((request, response) => {
    const delay = baseDelayMs * (0.5 + Math.random()) * (Math.random() < 0.03 ? 8 : 1);
    setTimeout(() => {
      response.writeHead(request.url?.includes('missing') ? 404 : 200, {
        'content-type': 'application/json',
      });
      response.end(JSON.stringify({ path: request.url }));
    }, delay);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function token(claims, expiresAt) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'user-7', scope: 'orders:read', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('https://id.example.com/')
    .setAudience(claims.aud ?? 'orders-api')
    .setIssuedAt(now - 7200)
    .setExpirationTime(expiresAt ?? now + 3600)
    .sign(Buffer.from(SECRET));
}

const orders = await upstream(12);
const catalog = await upstream(4);
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-screenshots-'));
const configPath = join(dir, 'api-config.json');
copyFileSync(join(root, 'examples/console/api-config.json'), configPath);
const env = {
  ORDERS_UPSTREAM: `http://127.0.0.1:${orders.address().port}`,
  CATALOG_UPSTREAM: `http://127.0.0.1:${catalog.address().port}`,
};
const gatehouse = await startGatehouse({
  source: resolveConfigSource(configPath, env),
  env,
  port: 0,
  admin: { port: 0 },
});
const admin = gatehouse.adminUrl;
const good = await token({});
const expired = await token({}, Math.floor(Date.now() / 1000) - 1800);
const wrongAudience = await token({ aud: 'billing-api' });

const requests = [
  () =>
    fetch(`${gatehouse.url}/orders/${Math.floor(Math.random() * 900) + 100}`, {
      headers: { authorization: `Bearer ${good}` },
    }),
  () => fetch(`${gatehouse.url}/orders`, { headers: { authorization: `Bearer ${good}` } }),
  () => fetch(`${gatehouse.url}/catalog/items/${Math.floor(Math.random() * 50)}`),
  () => fetch(`${gatehouse.url}/catalog/missing`),
  () => fetch(`${gatehouse.url}/health`),
  () => fetch(`${gatehouse.url}/orders/42`, { headers: { authorization: `Bearer ${expired}` } }),
  () =>
    fetch(`${gatehouse.url}/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${good}` },
      body: '{}',
    }),
  () => fetch(`${gatehouse.url}/orders/7`, { headers: { authorization: `Bearer ${wrongAudience}` } }),
  () => fetch(`${gatehouse.url}/nowhere`),
];
const weights = [30, 10, 25, 3, 10, 3, 2, 2, 1];
function pick() {
  let n = Math.random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) if ((n -= weights[i]) < 0) return requests[i];
  return requests[0];
}

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const shoot = (name) => page.screenshot({ path: join(docs, `console-${name}.png`), fullPage: false });

  console.log(`sending traffic for ${TRAFFIC_SECONDS} s…`);
  const until = Date.now() + TRAFFIC_SECONDS * 1000;
  while (Date.now() < until) {
    await Promise.all(Array.from({ length: 4 }, () => pick()().then((r) => r.arrayBuffer())));
    await new Promise((resolve) => setTimeout(resolve, 60 + Math.random() * 120));
  }

  await page.goto(`${admin}/#/routes`);
  await page.waitForSelector('[data-testid=route-table] tbody tr');
  await page.fill('input[name=path]', '/orders/export');
  await page.click('button:has-text("Explain")');
  await page.waitForSelector('[data-testid=which-winner]');
  await shoot('routes');

  await page.goto(`${admin}/#/traffic`);
  await page.waitForSelector('[data-testid=connection]:has-text("Live")');
  await page.waitForSelector('.chart canvas');
  await (
    await fetch(`${gatehouse.url}/orders/42`, { headers: { authorization: `Bearer ${expired}` } })
  ).arrayBuffer();
  await page.waitForSelector('[data-testid=tail] tr[data-status="401"]');
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(docs, 'console-traffic.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('about:blank');
  await page.goto(`${admin}/#/traffic`);
  await page.waitForSelector('.chart canvas');
  await page.waitForTimeout(300);
  await shoot('traffic-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await page.goto('about:blank');
  await page.goto(`${admin}/#/traffic`);
  await page.waitForSelector('[data-testid=tail] tr[data-status="401"] a');
  await page.click('[data-testid=tail] tr[data-status="401"] a');
  await page.waitForSelector('#doctor-token');
  await page.fill('#doctor-token', `Bearer ${expired}`);
  await page.click('button:has-text("Diagnose")');
  await page.waitForSelector('[data-testid=failing-check]');
  await page.screenshot({ path: join(docs, 'console-doctor.png'), fullPage: true });

  const broken = JSON.parse(readFileSync(configPath, 'utf8'));
  broken.paths.push({ method: 'GET', path: '/orders/{id}', auth: 'partners' });
  writeFileSync(configPath, JSON.stringify(broken));
  await gatehouse.runtime.reload();
  await page.goto(`${admin}/#/config`);
  await page.waitForSelector('[data-testid=reload-problems]');
  await shoot('config');
  // The login form, as a listener with gateway.admin.token shows it.
  const guarded = await startGatehouse({
    source: inlineConfigSource({
      ...broken,
      paths: broken.paths.slice(0, -1),
      gateway: { admin: { port: 0, token: 'screenshot-admin-token-0123456789' } },
    }),
    env,
    port: 0,
  });
  try {
    await page.goto(`${guarded.adminUrl}/`);
    await page.fill('#token', 'not-the-token');
    await page.click('button[type=submit]');
    await page.waitForSelector('[role=alert]');
    await page.setViewportSize({ width: 1024, height: 560 });
    await shoot('login');
  } finally {
    await guarded.close(0);
  }
  console.log('wrote docs/console-{routes,traffic,traffic-dark,doctor,config,login}.png');
} finally {
  await browser.close();
  await gatehouse.close(0);
  orders.close();
  catalog.close();
  rmSync(dir, { recursive: true, force: true });
}
