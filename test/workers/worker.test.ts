import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { rawRequest } from '../helpers/raw-http.js';
import {
  COMPATIBILITY_DATE,
  COMPATIBILITY_FLAGS,
  WORKER_BUNDLE,
  startWorkerd,
  type RunningWorkerd,
} from '../helpers/workerd-target.js';

/**
 * What is particular to the Worker build, in real workerd: the client address, request framing
 * that reaches a Worker differently than a Node server, client cancellation, and the bundle.
 */
let upstream: RecordingUpstream;
let worker: RunningWorkerd;
const proxyConfig = (upstreamUrl: string): object => ({
  servers: [{ alias: 'up', url: upstreamUrl }],
  paths: [{ method: 'ANY', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } }],
});

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  worker = await startWorkerd({
    bindings: { SAG_API_CONFIG_JSON: JSON.stringify(proxyConfig(upstream.url)), GATEHOUSE_LOG_LEVEL: 'warn' },
  });
});
afterAll(async () => {
  await worker?.close();
  await upstream?.close();
});
beforeEach(() => upstream.reset());

describe('the Worker in workerd', () => {
  it('takes the client address from CF-Connecting-IP (set by Cloudflare) for X-Forwarded-For', async () => {
    const response = await fetch(`${worker.url}/up/who`, { headers: { 'cf-connecting-ip': '203.0.113.7' } });
    expect(response.status).toBe(200);
    expect(upstream.requests[0]?.headers['x-forwarded-for']).toBe('203.0.113.7');
    // Outbound, the runtime removes CF-Connecting-IP (Miniflare as Cloudflare does).
    expect(upstream.requests[0]?.headers['cf-connecting-ip']).toBeUndefined();
  });

  it('two Authorization headers (joined into one value by the runtime) are a 400, nothing forwarded', async () => {
    const host = new URL(worker.url).host;
    const response = await rawRequest(
      worker.url,
      `GET /up/x HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'Bad request', code: 'ERR_BAD_REQUEST' });
    expect(upstream.requests).toHaveLength(0);
  });

  it('one Authorization value with comma-separated auth-params is not mistaken for two', async () => {
    const response = await fetch(`${worker.url}/up/digest`, {
      headers: { authorization: 'Digest username="a, b c", realm="x", nonce="n"' },
    });
    expect(response.status).toBe(200);
    expect(upstream.requests[0]?.headers.authorization).toBe(
      'Digest username="a, b c", realm="x", nonce="n"',
    );
  });
});

describe('a caller that cancels its request', () => {
  // workerd's HTTP/1 server does not notice a TCP client leaving before the response starts, so
  // the conformance case cannot run here; a Worker calling the gateway through a service binding
  // and aborting is how the runtime cancels a request, as Cloudflare's edge does for a client
  // that disconnects.
  let miniflare: Miniflare;
  beforeAll(async () => {
    miniflare = new Miniflare({
      host: '127.0.0.1',
      port: 0,
      cf: false,
      workers: [
        {
          name: 'caller',
          modules: true,
          compatibilityDate: COMPATIBILITY_DATE,
          serviceBindings: { GATEWAY: 'gateway' },
          script: `export default {
            async fetch(request, env) {
              const controller = new AbortController();
              setTimeout(() => controller.abort(), 300);
              try {
                const response = await env.GATEWAY.fetch('http://gateway/up/slow/3000', { signal: controller.signal });
                return new Response('not cancelled: ' + response.status);
              } catch (error) {
                return new Response('cancelled: ' + error.name);
              }
            },
          };`,
        },
        {
          name: 'gateway',
          modules: true,
          scriptPath: WORKER_BUNDLE,
          compatibilityDate: COMPATIBILITY_DATE,
          compatibilityFlags: COMPATIBILITY_FLAGS,
          bindings: {
            SAG_API_CONFIG_JSON: JSON.stringify(proxyConfig(upstream.url)),
            GATEHOUSE_LOG_LEVEL: 'warn',
          },
        },
      ],
    });
    await miniflare.ready;
  });
  afterAll(() => miniflare?.dispose());

  it('aborts the upstream request', async () => {
    const response = await miniflare.dispatchFetch('http://caller/');
    expect(await response.text()).toBe('cancelled: AbortError');
    const deadline = Date.now() + 2000;
    while (upstream.requests[0]?.aborted !== true && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(upstream.requests[0]?.aborted).toBe(true);
  });
});

describe('the bundle', () => {
  it('imports no Node built-in, needs no nodejs_compat, and is smaller than the anchor’s (P8)', async () => {
    // The one global setup built; scripts/build-worker.mjs also refuses any Node built-in import.
    const code = await readFile(WORKER_BUNDLE);
    expect(code.toString('utf8')).not.toMatch(/(?:from|import\(|require\()\s*["']node:/);
    expect(COMPATIBILITY_FLAGS).not.toContain('nodejs_compat');
    expect(code.length).toBeLessThan(470 * 1024);
    expect(gzipSync(code).length).toBeLessThan(135 * 1024);
  });
});
