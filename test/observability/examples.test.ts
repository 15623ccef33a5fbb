import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { parseExposition } from '../helpers/prometheus-text.js';

/**
 * examples/observability is usable as shipped: promtool accepts the scrape config and the alert
 * rules, every Grafana query is valid PromQL, and every gatehouse_* metric they name is one the
 * gateway really exports (so a renamed metric cannot leave a dead panel behind).
 */
const dir = fileURLToPath(new URL('../../examples/observability/', import.meta.url));
let gatehouse: RunningGatehouse;
let exported: Set<string>;
let tmp: string;

beforeAll(async () => {
  const config = JSON.parse(await readFile(join(dir, 'api-config.json'), 'utf8')) as object;
  // The example's own port would be fixed; tests listen on free ports (the flag wins over the config).
  gatehouse = await startGatehouse({
    source: inlineConfigSource(config, dir),
    env: {},
    port: 0,
    admin: { port: 0 },
  });
  await fetch(`${gatehouse.url}/health`);
  const text = await (await fetch(`${gatehouse.adminUrl as string}/metrics`)).text();
  exported = new Set(
    [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
      familyNames(name as string, type as string),
    ),
  );
  expect(parseExposition(text).size).toBeGreaterThan(0);
  tmp = await mkdtemp(join(tmpdir(), 'gatehouse-promql-'));
});
afterAll(async () => {
  await gatehouse?.close(200);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function familyNames(name: string, type: string): string[] {
  return type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
}

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8', timeout: 15_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function gatehouseMetrics(expr: string): string[] {
  return [...expr.matchAll(/\b(gatehouse_\w+|process_\w+)/g)].map((m) => m[1] as string);
}

describe('examples/observability', () => {
  it('prometheus.yml and alerts.yml pass promtool', () => {
    const config = promtool('check', 'config', join(dir, 'prometheus.yml'));
    expect(config.output).toContain('SUCCESS');
    expect(config.status).toBe(0);
  });

  it('every metric the alert rules and dashboard name is exported', async () => {
    const alerts = await readFile(join(dir, 'alerts.yml'), 'utf8');
    const dashboard = JSON.parse(await readFile(join(dir, 'grafana-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const exprs = [alerts, ...dashboard.panels.flatMap((panel) => panel.targets.map((t) => t.expr))];
    const named = new Set(exprs.flatMap(gatehouseMetrics));
    expect(named.size).toBeGreaterThanOrEqual(10);
    expect([...named].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('every dashboard query is valid PromQL (Grafana variables substituted)', async () => {
    const dashboard = JSON.parse(await readFile(join(dir, 'grafana-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const rules = dashboard.panels.flatMap((panel, p) =>
      panel.targets.map((target, t) => ({
        record: `dashboard:panel${p}:target${t}`,
        expr: target.expr.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*'),
      })),
    );
    const file = join(tmp, 'dashboard-rules.json');
    // JSON is YAML: promtool reads it as a rule file.
    await writeFile(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
    const result = promtool('check', 'rules', file);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.status).toBe(0);
  });
});
