// Shared by the tests of `gatehouse start --workers N` (test/node/cluster.test.ts,
// test/observability/cluster-metrics.test.ts): requests on fresh connections, so the primary
// hands each to the next worker; polling; and the JSON log lines that name the serving worker.
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { writeConfigFile } from '../fixtures/config-files.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import type { StartedGatehouse } from './cli-process.js';

/** A temporary config folder and a recording upstream for the file; clusters stopped after each test. */
export interface ClusterFixture {
  /** Add every started cluster: stopped after each test (unless it exited by itself). */
  readonly running: Set<StartedGatehouse>;
  writeConfig(name: string, config: unknown): Promise<string>;
  upstreamUrl(): string;
}

/** Registers the file's beforeAll/afterEach/afterAll hooks; call at the top of a test file. */
export function useClusterFixture(prefix: string): ClusterFixture {
  let dir = '';
  let upstream: RecordingUpstream | undefined;
  const running = new Set<StartedGatehouse>();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    upstream = await startRecordingUpstream();
  });
  afterEach(async () => {
    for (const gatehouse of running) {
      if (gatehouse.child.exitCode === null) await gatehouse.stop();
    }
    running.clear();
  });
  afterAll(async () => {
    await upstream?.close();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });
  return {
    running,
    writeConfig: (name, config) => writeConfigFile(dir, name, config),
    upstreamUrl: () => (upstream as RecordingUpstream).url,
  };
}

/** One request on a fresh connection (no keep-alive agent); resolves with status and body. */
export function sendOnFreshConnection(
  url: string,
  method = 'GET',
  timeoutMs = 15_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls `probe` every 100 ms until it gives a value; throws naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The fields of a cluster's JSON log lines these tests read. */
export interface ClusterLogLine {
  readonly worker?: number;
  readonly pid?: number;
  readonly msg?: string;
  readonly path?: string;
  readonly status?: number;
}

/** Every JSON log line the process has written to stderr so far. */
export function clusterLogLines(gatehouse: StartedGatehouse): ClusterLogLine[] {
  return gatehouse
    .output()
    .stderr.split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as ClusterLogLine);
}
