import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../observability/logger.js';
import type { UpstreamClient } from '../../platform.js';
import type { SourcedText, WorkerConfigSource } from './config-source.js';
import { WorkerRuntime } from './runtime.js';
import type { WorkerExecutionContext } from './types.js';

const config = (label: string): string =>
  JSON.stringify({ paths: [{ method: 'GET', path: '/which', response: { config: label } }] });

/** A KV-like source whose text, failures and reads the test controls. */
function fakeSource(
  refreshMs: number,
): WorkerConfigSource & { text: string | undefined; fail: boolean; reads: number } {
  const source = {
    text: undefined as string | undefined,
    fail: false,
    reads: 0,
    refreshMs,
    read: async (): Promise<SourcedText> => {
      source.reads++;
      if (source.fail) throw new Error('KV unavailable');
      return { origin: 'fake', text: source.text };
    },
  };
  return source;
}

function setup(refreshMs = 1000) {
  const source = fakeSource(refreshMs);
  const lines: Record<string, unknown>[] = [];
  let now = 0;
  const background: Promise<unknown>[] = [];
  const ctx: WorkerExecutionContext = { waitUntil: (promise) => void background.push(promise) };
  const upstream: UpstreamClient = () => Promise.reject(new Error('no upstream in these tests'));
  const runtime = new WorkerRuntime({
    env: {},
    source,
    logger: createJsonLogger('info', (line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
    upstream,
    strict: false,
    now: () => now,
  });
  return {
    source,
    lines,
    advance: (ms: number) => void (now += ms),
    /** Serves GET /which; resolves with the config label, or the error code and status. */
    async which(): Promise<unknown> {
      const response = await runtime.serve(new Request('http://gw.test/which'), ctx);
      const body = (await response.json()) as { config?: string; code?: string };
      return body.config ?? `${response.status} ${body.code}`;
    },
    settle: () => Promise.all(background.splice(0)),
    count: (msg: string) => lines.filter((line) => line.msg === msg).length,
  };
}

describe('WorkerRuntime', () => {
  it('reads and compiles once, then serves from memory until the interval passes', async () => {
    const t = setup();
    t.source.text = config('a');
    for (let i = 0; i < 5; i++) expect(await t.which()).toBe('a');
    expect(t.source.reads).toBe(1);
    expect(t.count('config loaded')).toBe(1);
  });

  it('re-reads in the background after the interval and swaps when the text changed', async () => {
    const t = setup();
    t.source.text = config('a');
    await t.which();
    t.source.text = config('b');
    t.advance(999);
    expect(await t.which()).toBe('a');
    expect(t.source.reads).toBe(1);
    t.advance(1);
    // The request that finds the config stale is still served by it: no request waits for KV.
    expect(await t.which()).toBe('a');
    await t.settle();
    expect(await t.which()).toBe('b');
    expect(t.count('config loaded')).toBe(2);
  });

  it('does not recompile an unchanged text', async () => {
    const t = setup();
    t.source.text = config('a');
    await t.which();
    t.advance(1000);
    await t.which();
    await t.settle();
    expect(t.source.reads).toBe(2);
    expect(t.count('config loaded')).toBe(1);
  });

  it('keeps the last good config when the source cannot be read (a KV hiccup)', async () => {
    const t = setup();
    t.source.text = config('a');
    await t.which();
    t.source.fail = true;
    t.advance(1000);
    await t.which();
    await t.settle();
    expect(await t.which()).toBe('a');
    expect(t.lines.find((line) => line.msg === 'config source unavailable')).toMatchObject({
      level: 'error',
      serving: 'fake',
    });
  });

  it('keeps the last good config when the new text is invalid, and reports that text once', async () => {
    const t = setup();
    t.source.text = config('a');
    await t.which();
    t.source.text = '{"paths": 42}';
    for (let i = 0; i < 3; i++) {
      t.advance(1000);
      expect(await t.which()).toBe('a');
      await t.settle();
    }
    expect(t.count('config invalid')).toBe(1);
    expect(t.count('config loaded')).toBe(1);
  });

  it('answers 500 ERR_CONFIG_INVALID while no config is valid, logging the problems with each request', async () => {
    const t = setup();
    t.source.text = '{"paths": 42}';
    expect(await t.which()).toBe('500 ERR_CONFIG_INVALID');
    expect(await t.which()).toBe('500 ERR_CONFIG_INVALID');
    expect(t.source.reads).toBe(1);
    const logged = t.lines.filter((line) => line.msg === 'config invalid');
    expect(logged).toHaveLength(3);
    expect(JSON.stringify(logged[2])).toContain('/paths');
    // A fixed config is picked up at the next read.
    t.source.text = config('fixed');
    t.advance(1000);
    expect(await t.which()).toBe('fixed');
  });

  it('with no config anywhere, answers 500 ERR_CONFIG_INVALID and says where a config can come from', async () => {
    const t = setup();
    expect(await t.which()).toBe('500 ERR_CONFIG_INVALID');
    expect(JSON.stringify(t.lines)).toContain('SAG_API_CONFIG_JSON');
  });

  it('answers 500 ERR_INTERNAL when the first read fails, and retries with the next request', async () => {
    const t = setup();
    t.source.text = config('a');
    t.source.fail = true;
    expect(await t.which()).toBe('500 ERR_INTERNAL');
    t.source.fail = false;
    expect(await t.which()).toBe('a');
  });
});
