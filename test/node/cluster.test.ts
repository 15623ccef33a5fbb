// `gatehouse start --workers N` (docs/BEHAVIOUR.md "Several processes"): real processes through
// the CLI on a free port. Which worker served a request is read from its access-log line, which
// names the worker and its pid in cluster mode.
import { writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { healthAndProxyConfig } from '../fixtures/config-files.js';
import { runGatehouse, startGatehouseProcess, type StartedGatehouse } from '../helpers/cli-process.js';
import { clusterLogLines, sendOnFreshConnection, until, useClusterFixture } from '../helpers/cluster-cli.js';

const fixture = useClusterFixture('gatehouse-cluster-');

const baseConfig = healthAndProxyConfig;

const { writeConfig } = fixture;

async function startCluster(args: string[]): Promise<StartedGatehouse> {
  const gatehouse = await startGatehouseProcess(['--workers', '2', '--log-level', 'info', ...args]);
  fixture.running.add(gatehouse);
  return gatehouse;
}

/** One GET on a fresh connection, so the primary hands each request to the next worker. */
const get = (url: string): Promise<{ status: number; body: string }> =>
  sendOnFreshConnection(url, 'GET', 10_000);
const logLines = clusterLogLines;

/** Worker pids that served `path` with `status`, from the access-log lines. */
function servedBy(gatehouse: StartedGatehouse, path: string, status = 200): Set<number> {
  return new Set(
    logLines(gatehouse)
      .filter((l) => l.msg === 'request' && l.path === path && l.status === status)
      .map((l) => l.pid ?? 0),
  );
}

/** The pid the primary last started for worker `index`. */
function workerPid(gatehouse: StartedGatehouse, index: number): number | undefined {
  return logLines(gatehouse)
    .filter((l) => l.msg === 'worker started' && l.worker === index)
    .at(-1)?.pid;
}

/** Sends requests to `path` until both workers served it with `status` (bounded). */
async function untilBothServe(gatehouse: StartedGatehouse, path: string, status = 200): Promise<Set<number>> {
  return until(`both workers to answer ${path} with ${status}`, async () => {
    await get(`${gatehouse.url}${path}`);
    const pids = servedBy(gatehouse, path, status);
    return pids.size >= 2 ? pids : undefined;
  });
}

describe('gatehouse start --workers', () => {
  it('prints one URL line and serves requests from every worker on one port', async () => {
    const file = await writeConfig('serve.json', baseConfig(fixture.upstreamUrl()));
    const gatehouse = await startCluster(['--config', file]);
    const { stdout } = gatehouse.output();
    expect(stdout.match(/listening on/g)).toHaveLength(1);
    expect(stdout).toMatch(/^Gatehouse listening on http:\/\/127\.0\.0\.1:\d+ \(config: .+, 2 workers\)/);

    for (let i = 0; i < 6; i++) expect((await get(`${gatehouse.url}/health`)).status).toBe(200);
    const pids = await untilBothServe(gatehouse, '/health');
    expect(pids).toEqual(new Set([workerPid(gatehouse, 1), workerPid(gatehouse, 2)]));
    expect(pids.has(gatehouse.child.pid ?? 0)).toBe(false); // the primary serves nothing
    // Proxied routes too: each worker has its own upstream pool.
    await untilBothServe(gatehouse, '/up/items/1');
    expect(await gatehouse.stop()).toBe(0);
  });

  it('restarts a worker that dies, and the new one serves', async () => {
    const file = await writeConfig('restart.json', baseConfig(fixture.upstreamUrl()));
    const gatehouse = await startCluster(['--config', file]);
    const victim = workerPid(gatehouse, 2);
    expect(victim).toBeTypeOf('number');
    process.kill(victim ?? 0, 'SIGKILL');

    const replacement = await until('worker 2 to be restarted', () =>
      Promise.resolve(
        ((pid) => (pid !== undefined && pid !== victim ? pid : undefined))(workerPid(gatehouse, 2)),
      ),
    );
    const exitLine = logLines(gatehouse).find((l) => l.msg === 'worker exited; restarting');
    expect(exitLine).toMatchObject({ worker: 2, pid: victim, signal: 'SIGKILL' });
    // Requests keep being answered meanwhile and afterwards, by both workers.
    await until('the replacement to serve', async () => {
      expect((await get(`${gatehouse.url}/health`)).status).toBe(200);
      return servedBy(gatehouse, '/health').has(replacement) ? true : undefined;
    });
    expect(await gatehouse.stop()).toBe(0);
  });

  it('drains in-flight requests on every worker on SIGTERM, then exits 0', async () => {
    const file = await writeConfig('drain.json', baseConfig(fixture.upstreamUrl()));
    const gatehouse = await startCluster(['--config', file]);
    // Four slow requests on fresh connections: the primary hands them to both workers in turn.
    const inFlight = [0, 1, 2, 3].map(() => get(`${gatehouse.url}/up/slow/800`));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exit = gatehouse.stop();
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(await exit).toBe(0);
    expect(servedBy(gatehouse, '/up/slow/800').size).toBe(2);
    const stops = logLines(gatehouse).filter((l) => l.msg === 'shutting down' && l.worker !== undefined);
    expect(new Set(stops.map((l) => l.worker))).toEqual(new Set([1, 2]));
  });

  it('stops within --drain-ms plus a second when a worker cannot exit (a stopped process is killed)', async () => {
    const file = await writeConfig('hung.json', baseConfig(fixture.upstreamUrl()));
    const gatehouse = await startCluster(['--config', file, '--drain-ms', '500']);
    const hung = workerPid(gatehouse, 2) ?? 0;
    process.kill(hung, 'SIGSTOP');
    try {
      const started = Date.now();
      expect(await gatehouse.stop()).toBe(0);
      expect(Date.now() - started).toBeLessThan(500 + 1000 + 1500);
      const killed = logLines(gatehouse).find(
        (l) => l.msg === 'worker did not exit in time after SIGTERM; killed',
      );
      expect(killed).toMatchObject({ worker: 2, pid: hung });
    } finally {
      // Never leave a stopped process behind, whatever the outcome.
      try {
        process.kill(hung, 'SIGKILL');
      } catch {
        // Already gone: the primary killed it.
      }
    }
  });

  it('lets a drained worker send its last spans before any deadline (the export timeout counts)', async () => {
    // A collector that accepts connections and never answers: each worker's last batch waits
    // for the export timeout (1.5 s here) after its drain.
    const silent = createNetServer(() => undefined);
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, '127.0.0.1', () => resolve((silent.address() as AddressInfo).port)),
    );
    try {
      const file = await writeConfig('traced.json', baseConfig(fixture.upstreamUrl()));
      const gatehouse = await startGatehouseProcess(
        ['--workers', '2', '--log-level', 'info', '--config', file, '--drain-ms', '200'],
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
          OTEL_EXPORTER_OTLP_TIMEOUT: '1500',
        },
      );
      fixture.running.add(gatehouse);
      await untilBothServe(gatehouse, '/health');
      expect(await gatehouse.stop()).toBe(0);
      const killed = logLines(gatehouse).filter(
        (l) => l.msg === 'worker did not exit in time after SIGTERM; killed',
      );
      expect(killed).toEqual([]);
    } finally {
      silent.close();
    }
  });

  it('reloads an edited config in every worker', async () => {
    const file = await writeConfig('reload.json', baseConfig(fixture.upstreamUrl()));
    const gatehouse = await startCluster(['--config', file]);
    expect((await get(`${gatehouse.url}/added`)).status).toBe(404);

    const edited = baseConfig(fixture.upstreamUrl());
    edited.paths.push({ method: 'GET', path: '/added', response: { added: true } });
    await writeFile(file, JSON.stringify(edited));
    const pids = await untilBothServe(gatehouse, '/added');
    expect(pids).toEqual(new Set([workerPid(gatehouse, 1), workerPid(gatehouse, 2)]));
    const reloads = logLines(gatehouse).filter((l) => l.msg === 'config reloaded');
    expect(new Set(reloads.map((l) => l.worker))).toEqual(new Set([1, 2]));
    expect(await gatehouse.stop()).toBe(0);
  });

  it('runs one admin listener (worker 1) and prints its URL once', async () => {
    const file = await writeConfig('admin.json', baseConfig(fixture.upstreamUrl()));
    const gatehouse = await startCluster(['--config', file, '--admin-port', '0']);
    const adminLines = await until('the admin URL line', () => {
      const lines = gatehouse.output().stdout.split('\n');
      const found = lines.filter((l) => l.startsWith('Admin listener on'));
      return Promise.resolve(found.length > 0 ? found : undefined);
    });
    expect(adminLines).toHaveLength(1);
    const adminUrl = /http:\/\/[\d.]+:\d+/.exec(adminLines[0] ?? '')?.[0];
    // Every admin connection reaches the admin listener, and the public port is still served by
    // both workers: with both ports 0, worker 2's public server once shared worker 1's admin
    // socket (the cluster primary pairs port-0 listens by their order), answering every other
    // admin request with the gateway's 404.
    for (let i = 0; i < 6; i++) expect((await get(`${adminUrl}/healthz`)).status).toBe(200);
    await untilBothServe(gatehouse, '/health');
    expect(await gatehouse.stop()).toBe(0);
  });

  it("prints the config's warnings once, not once per worker", async () => {
    const config = baseConfig(fixture.upstreamUrl());
    config.paths.push({ method: 'GET', path: '/typo', respons: { ok: true } });
    const file = await writeConfig('warned.json', config);
    const gatehouse = await startCluster(['--config', file]);
    await untilBothServe(gatehouse, '/health');
    const warning = 'warning: /paths/';
    expect(gatehouse.output().stderr.split(warning)).toHaveLength(2);
    expect(await gatehouse.stop()).toBe(0);
  });

  it('announces the admin URL again when a replacement of worker 1 listens on a new port 0', async () => {
    const file = await writeConfig('admin-moved.json', baseConfig(fixture.upstreamUrl()));
    const gatehouse = await startCluster(['--config', file, '--admin-port', '0']);
    const adminUrls = (): string[] =>
      gatehouse
        .output()
        .stdout.split('\n')
        .filter((l) => l.startsWith('Admin listener on'))
        .map((l) => /http:\/\/[\d.]+:\d+/.exec(l)?.[0] ?? '');
    const [firstUrl] = await until('the admin URL line', () =>
      Promise.resolve(adminUrls().length > 0 ? adminUrls() : undefined),
    );
    const victim = workerPid(gatehouse, 1);
    process.kill(victim ?? 0, 'SIGKILL');
    const secondUrl = await until('a second admin URL line', () => Promise.resolve(adminUrls()[1]), 15_000);
    expect(secondUrl).not.toBe(firstUrl);
    expect(gatehouse.output().stdout).toContain('(worker 1 restarted; the old URL is gone)');
    expect((await get(`${secondUrl}/healthz`)).status).toBe(200);
    expect(await gatehouse.stop()).toBe(0);
  });

  it('refuses an invalid config once, before forking the other workers, and exits 1', async () => {
    const file = await writeConfig('invalid.json', {
      paths: [{ method: 'GET', path: '/x', integration: { type: 'http_proxy', server: 'nope' } }],
    });
    const result = await runGatehouse(['start', '--config', file, '--port', '0', '--workers', '2']);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('listening on');
    const problem = '/paths/0/integration/server: no servers entry has alias "nope"';
    expect(result.stderr.split(problem)).toHaveLength(2); // printed once, by worker 1 alone
  });

  it('refuses a --workers value that is not a count or auto', async () => {
    const result = await runGatehouse(['start', '--port', '0', '--workers', 'many']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --workers "many" (a whole number from 1, or auto)');
  });
});
