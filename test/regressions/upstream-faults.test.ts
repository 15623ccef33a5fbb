import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { startGatehouseProcess } from '../helpers/cli-process.js';
import { bodyOf, memoryLogger, startHostileSetup, type HostileSetup } from './harness.js';

/**
 * Class: upstream faults that must stay the upstream's problem. A body cut mid-way aborts the
 * client's response quietly (no stack trace on stderr at any log level) and the access-log line,
 * written at the cut, records it with the bytes sent and the time to the last byte. A silent
 * upstream mid-body is cut after idle_timeout_ms. An oversized response head is its own 502
 * (ERR_UPSTREAM_HEADERS_TOO_LARGE) that does not eject the URL from round-robin.
 */
let gw: HostileSetup;
const { logger, lines } = memoryLogger();

beforeAll(async () => {
  gw = await startHostileSetup(
    (upstream) => ({
      servers: [
        { alias: 'up', url: upstream },
        { alias: 'pair', url: [`${upstream}/a`, `${upstream}/b`] },
        { alias: 'quiet', url: upstream, idle_timeout_ms: 300 },
      ],
      paths: [
        { method: 'ANY', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } },
        { method: 'ANY', path: '/pair/{.+}', integration: { type: 'http_proxy', server: 'pair' } },
        { method: 'ANY', path: '/quiet/{.+}', integration: { type: 'http_proxy', server: 'quiet' } },
      ],
    }),
    { logger },
  );
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

/** GET through node:http, reporting how the body ended. */
function download(url: string): Promise<{ status: number; bytes: number; aborted: boolean; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    request(url, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, bytes, aborted: false, ms: Date.now() - started }),
      );
      res.on('error', () =>
        resolve({ status: res.statusCode ?? 0, bytes, aborted: true, ms: Date.now() - started }),
      );
      res.on('aborted', () =>
        resolve({ status: res.statusCode ?? 0, bytes, aborted: true, ms: Date.now() - started }),
      );
    })
      .on('error', () => resolve({ status: 0, bytes: 0, aborted: true, ms: Date.now() - started }))
      .end();
  });
}

async function accessLine(path: string): Promise<Record<string, unknown> | undefined> {
  for (let i = 0; i < 50; i++) {
    const line = lines.find((l) => l.msg === 'request' && l.path === path);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

describe('an upstream dying mid-body', () => {
  it.each(['/up/die-mid-stream', '/up/die-mid-body'])(
    '%s: the client sees the status, then an aborted body; the log records the cut',
    async (path) => {
      const result = await download(`${gw.url}${path}`);
      expect(result.status).toBe(200);
      expect(result.aborted).toBe(true);
      const line = await accessLine(path);
      expect(line).toMatchObject({ status: 200, aborted: 'upstream closed mid-body' });
      expect(typeof line?.bytes).toBe('number');
      expect(line?.durationMs as number).toBeGreaterThanOrEqual(line?.upstreamMs as number);
    },
  );

  it('a complete streamed body is logged with its bytes when the last byte went out', async () => {
    await download(`${gw.url}/up/trickle/200`);
    const line = await accessLine('/up/trickle/200');
    expect(line).toMatchObject({ status: 200, bytes: 'first,last'.length });
    expect(line?.aborted).toBeUndefined();
    expect(line?.durationMs as number).toBeGreaterThanOrEqual(150);
  });

  it('an upstream silent mid-body past idle_timeout_ms is cut, and logged as such', async () => {
    const result = await download(`${gw.url}/quiet/stall-mid-body`);
    expect(result.status).toBe(200);
    expect(result.aborted).toBe(true);
    expect(result.bytes).toBeLessThan(1024 * 1024);
    expect(result.ms).toBeLessThan(5_000);
    expect(await accessLine('/quiet/stall-mid-body')).toMatchObject({
      aborted: 'upstream idle timeout mid-body',
    });
  });
});

describe('no stack trace on stderr at any log level (gatehouse start)', () => {
  let dir: string;
  let upstream: RecordingUpstream;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-faults-'));
    upstream = await startRecordingUpstream();
  });
  afterAll(async () => {
    await upstream.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['silent', 'info', 'debug'])('--log-level %s', async (level) => {
    const file = join(dir, `${level}.json`);
    await writeFile(
      file,
      JSON.stringify({
        servers: [{ alias: 'up', url: upstream.url }],
        paths: [{ method: 'ANY', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } }],
      }),
    );
    const gatehouse = await startGatehouseProcess(['--config', file, '--log-level', level]);
    try {
      for (const path of ['/up/die-mid-stream', '/up/die-mid-body']) {
        expect((await download(`${gatehouse.url}${path}`)).aborted).toBe(true);
      }
    } finally {
      expect(await gatehouse.stop()).toBe(0);
    }
    const { stdout, stderr } = gatehouse.output();
    for (const output of [stdout, stderr]) {
      expect(output).not.toMatch(/\n\s+at /);
      expect(output).not.toContain('SocketError');
      expect(output).not.toContain('The user aborted');
    }
    if (level !== 'silent') expect(stderr).toContain('"aborted":"upstream closed mid-body"');
  });
});

describe('large upstream response heads', () => {
  it('a 20 KiB head is served (limit 64 KiB by default)', async () => {
    const response = await gw.send('GET', '/up/big-head/20000');
    expect(response.status).toBe(200);
  });

  it('over the limit: 502 ERR_UPSTREAM_HEADERS_TOO_LARGE, and the URL is not ejected', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await gw.send('GET', '/pair/big-head/70000');
      expect(response.status).toBe(502);
      expect(bodyOf(response)).toMatchObject({ code: 'ERR_UPSTREAM_HEADERS_TOO_LARGE' });
    }
    gw.upstream.reset();
    for (let i = 0; i < 4; i++) expect((await gw.send('GET', '/pair/echo')).status).toBe(200);
    const bases = new Set(gw.upstream.requests.map((r) => r.url.split('/')[1]));
    expect(bases).toEqual(new Set(['a', 'b']));
  });

  it('gateway.max_upstream_header_bytes sets the limit', async () => {
    const small = await startHostileSetup((upstream) => ({
      servers: [{ alias: 'up', url: upstream }],
      gateway: { max_upstream_header_bytes: 8192 },
      paths: [{ method: 'GET', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } }],
    }));
    try {
      expect((await small.send('GET', '/up/big-head/4000')).status).toBe(200);
      const response = await small.send('GET', '/up/big-head/12000');
      expect(response.status).toBe(502);
      expect(bodyOf(response)).toMatchObject({ code: 'ERR_UPSTREAM_HEADERS_TOO_LARGE' });
    } finally {
      await small.close();
    }
  });
});
