// The admin listener of `gatehouse start --workers 2` speaks for every worker (docs/OBSERVABILITY.md
// "Several processes"): real processes through the CLI, a real upstream, requests on fresh
// connections so the primary hands them to both workers; the scraped counters are the exact sum.
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { healthAndProxyConfig } from '../fixtures/config-files.js';
import { startGatehouseProcess, type StartedGatehouse } from '../helpers/cli-process.js';
import { clusterLogLines, sendOnFreshConnection, until, useClusterFixture } from '../helpers/cluster-cli.js';
import { family, parseExposition, promtoolCheck, sampleKey } from '../helpers/prometheus-text.js';

const fixture = useClusterFixture('gatehouse-cluster-metrics-');

interface Started {
  readonly gatehouse: StartedGatehouse;
  readonly admin: string;
}

async function startCluster(configFile: string): Promise<Started> {
  const gatehouse = await startGatehouseProcess([
    '--config',
    configFile,
    '--workers',
    '2',
    '--admin-port',
    '0',
    '--log-level',
    'info',
  ]);
  fixture.running.add(gatehouse);
  const admin = await until('the admin URL line', () =>
    Promise.resolve(/Admin listener on (http:\/\/[\d.]+:\d+)/.exec(gatehouse.output().stdout)?.[1]),
  );
  return { gatehouse, admin };
}

/** One request on a fresh connection, so the primary hands each to the next worker. */
const send = (url: string, method = 'GET'): Promise<{ status: number; body: string }> =>
  sendOnFreshConnection(url, method);
const logLines = clusterLogLines;

const requests = (route: string, method: string, status: string): string =>
  sampleKey('gatehouse_requests_total', { route, method, status });

describe('metrics and health across gatehouse start --workers 2', () => {
  it('scrapes the exact sum of both workers’ counts, and promtool accepts it', async () => {
    const file = await fixture.writeConfig('sum.json', healthAndProxyConfig(fixture.upstreamUrl()));
    const { gatehouse, admin } = await startCluster(file);
    const mix: [string, string, number, number][] = [
      ['GET', '/health', 200, 12],
      ['GET', '/up/items/1', 200, 10],
      ['GET', '/up/status/503', 503, 4],
      ['GET', '/nope', 404, 3],
      ['POST', '/health', 405, 2],
    ];
    for (const [method, path, status, times] of mix) {
      for (let i = 0; i < times; i++)
        expect((await send(`${gatehouse.url}${path}`, method)).status).toBe(status);
    }
    // The admin port is worker 1's own socket: never shared with a worker's public server (both
    // ports are 0 here, which node:cluster would otherwise hand out as one shared socket).
    for (let i = 0; i < 4; i++) expect((await send(`${admin}/health`)).status).toBe(404);
    // Both workers served part of the mix (their access-log lines name them).
    const servedBy = new Set(
      logLines(gatehouse)
        .filter((l) => l.msg === 'request')
        .map((l) => l.worker),
    );
    expect(servedBy).toEqual(new Set([1, 2]));

    const scraped = await send(`${admin}/metrics`);
    expect(scraped.status).toBe(200);
    const samples = parseExposition(scraped.body);
    expect(family(samples, 'gatehouse_requests_total')).toEqual({
      [requests('/health', 'GET', '200')]: 12,
      [requests('/up/{.+}', 'GET', '200')]: 10,
      [requests('/up/{.+}', 'GET', '503')]: 4,
      [requests('(none)', 'GET', '404')]: 3,
      [requests('(none)', 'POST', '405')]: 2,
    });
    const durationCount = (route: string, statusClass: string): number | undefined =>
      samples.get(
        sampleKey('gatehouse_request_duration_seconds_count', {
          route,
          method: 'GET',
          status_class: statusClass,
        }),
      );
    expect(durationCount('/up/{.+}', '2xx')).toBe(10);
    expect(durationCount('/up/{.+}', '5xx')).toBe(4);
    expect(
      samples.get(
        sampleKey('gatehouse_upstream_duration_seconds_count', { server: 'up', outcome: 'response' }),
      ),
    ).toBe(14);
    expect(samples.get('gatehouse_in_flight_requests')).toBe(0);
    // One config served by both workers: one series, value 1 (aggregated with max, not summed).
    expect(Object.values(family(samples, 'gatehouse_config_info'))).toEqual([1]);
    expect(promtoolCheck(scraped.body)).toMatchObject({ status: 0 });
    expect(await gatehouse.stop()).toBe(0);
  });

  it('counts a config reload in every worker and shows the new config once', async () => {
    const config = healthAndProxyConfig(fixture.upstreamUrl());
    const file = await fixture.writeConfig('reload.json', config);
    const { gatehouse, admin } = await startCluster(file);
    config.paths.push({ method: 'GET', path: '/added', response: { added: true } });
    await writeFile(file, JSON.stringify(config));
    const samples = await until('both workers to report the reload', async () => {
      const scraped = parseExposition((await send(`${admin}/metrics`)).body);
      const ok = scraped.get(sampleKey('gatehouse_config_reloads_total', { outcome: 'ok' }));
      return ok === 2 ? scraped : undefined;
    });
    const info = Object.keys(family(samples, 'gatehouse_config_info'));
    expect(info).toHaveLength(1);
    expect(info[0]).toContain('routes="3"');
    expect(await gatehouse.stop()).toBe(0);
  });

  it('is ready only while every worker answers, and names the one that does not', async () => {
    const file = await fixture.writeConfig('ready.json', healthAndProxyConfig(fixture.upstreamUrl()));
    const { gatehouse, admin } = await startCluster(file);
    const ready = await send(`${admin}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({
      ready: true,
      notReady: [],
      workers: { '1': { ready: true }, '2': { ready: true } },
    });
    expect(JSON.parse((await send(`${admin}/healthz`)).body)).toEqual({
      status: 'ok',
      workers: { '1': 'ok', '2': 'ok' },
    });

    // Worker 2 hangs (stopped): it cannot answer its report.
    const worker2 = logLines(gatehouse)
      .filter((l) => l.msg === 'worker started' && l.worker === 2)
      .at(-1)?.pid as number;
    process.kill(worker2, 'SIGSTOP');
    try {
      const notReady = await send(`${admin}/readyz`);
      expect(notReady.status).toBe(503);
      expect(JSON.parse(notReady.body)).toMatchObject({
        status: 'not ready',
        ready: false,
        notReady: ['worker:2'],
        workers: { '1': { ready: true }, '2': { ready: false, detail: 'no answer within 5000 ms' } },
      });
      // A scrape without worker 2's counts would make the sums go down: it fails instead.
      const metrics = await send(`${admin}/metrics`);
      expect(metrics.status).toBe(503);
      expect(JSON.parse(metrics.body)).toMatchObject({ workers: { '2': 'no answer within 5000 ms' } });
    } finally {
      process.kill(worker2, 'SIGCONT');
    }
    await until('readiness to return', async () =>
      (await send(`${admin}/readyz`)).status === 200 ? true : undefined,
    );
    expect(await gatehouse.stop()).toBe(0);
  });
});
