import { dirname } from 'node:path';
import { Log, LogLevel, Miniflare, type WorkerOptions } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyHash } from '../../src/consumers/hash.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { COMPATIBILITY_DATE, COMPATIBILITY_FLAGS, WORKER_BUNDLE } from '../helpers/workerd-target.js';

/**
 * Traffic control in real workerd (Miniflare), with the Worker bundle a deployment uses
 * (docs/TRAFFIC.md "Stores"): the `durable_object` store shared by two Worker instances, the
 * client address from CF-Connecting-IP, consumers from KV, and Cloudflare's rate-limiting
 * binding as far as Miniflare implements it.
 */
const KV_KEY = 'kv-consumer-key-0123456789abcdefghijklmn';

const common = {
  modules: true,
  compatibilityDate: COMPATIBILITY_DATE,
  compatibilityFlags: COMPATIBILITY_FLAGS,
  scriptPath: WORKER_BUNDLE,
  modulesRoot: dirname(WORKER_BUNDLE),
};

function gatewayConfig(upstreamUrl: string): object {
  return {
    servers: [{ alias: 'up', url: upstreamUrl }],
    rate_limits: {
      edge: { limit: 6, window_s: 60 },
      per_ip: { limit: 2, window_s: 60, key: ['$request.ip'] },
      plan: { limit: 2, window_s: 60, key: ['$request.consumer.name'] },
    },
    gateway: { rate_limit_store: { type: 'durable_object', binding: 'RATE_LIMITER', shards: 4 } },
    authorizers: { keys: { type: 'api_key', consumers_kv: 'CONSUMERS' } },
    paths: [
      { method: 'GET', path: '/edge', rate_limit: 'edge', integration: { type: 'http_proxy', server: 'up' } },
      { method: 'GET', path: '/ip', rate_limit: 'per_ip', response: { ok: true } },
      {
        method: 'GET',
        path: '/keyed/{.+}',
        auth: 'keys',
        integration: { type: 'http_proxy', server: 'up' },
        mapping: { headers: { 'x-consumer': '$request.consumer.name' } },
      },
    ],
  };
}

let upstream: RecordingUpstream;
let miniflare: Miniflare;
let url: string;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  const bindings = {
    SAG_API_CONFIG_JSON: JSON.stringify(gatewayConfig(upstream.url)),
    GATEHOUSE_LOG_LEVEL: 'error',
  };
  const first: WorkerOptions = {
    name: 'gatehouse-a',
    ...common,
    bindings,
    kvNamespaces: { CONSUMERS: 'consumers' },
    durableObjects: { RATE_LIMITER: 'GatehouseRateLimiter' },
  };
  // A second instance of the same Worker, bound to the same Durable Object class: what two
  // isolates (or two locations) of one deployment are.
  const second: WorkerOptions = {
    name: 'gatehouse-b',
    ...common,
    bindings,
    kvNamespaces: { CONSUMERS: 'consumers' },
    durableObjects: { RATE_LIMITER: { className: 'GatehouseRateLimiter', scriptName: 'gatehouse-a' } },
  };
  miniflare = new Miniflare({
    workers: [first, second],
    host: '127.0.0.1',
    port: 0,
    cf: false,
    log: new Log(LogLevel.WARN),
  });
  url = (await miniflare.ready).origin;
  const kv = (await miniflare.getKVNamespace('CONSUMERS', 'gatehouse-a')) as unknown as {
    put(key: string, value: string): Promise<void>;
  };
  await kv.put(
    keyHash(KV_KEY),
    JSON.stringify({ name: 'kv-acme', rate_limit: 'plan', metadata: { plan: 'kv' } }),
  );
}, 60_000);

afterAll(async () => {
  await miniflare?.dispose();
  await upstream?.close();
});

async function viaSecond(path: string, headers: Record<string, string> = {}): Promise<Response> {
  const worker = (await miniflare.getWorker('gatehouse-b')) as unknown as {
    fetch(url: string, init: RequestInit): Promise<Response>;
  };
  return worker.fetch(`http://gateway.test${path}`, { headers });
}

describe('durable_object store in workerd', () => {
  it('two Worker instances share one exact count', async () => {
    upstream.reset();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const response = i % 2 === 0 ? await fetch(`${url}/edge`) : await viaSecond('/edge');
      statuses.push(response.status);
      if (i === 0) {
        expect(response.headers.get('ratelimit-policy')).toBe('"edge";q=6;w=60');
        expect(response.headers.get('ratelimit')).toBe('"edge";r=5;t=10');
      }
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
    expect(upstream.requests).toHaveLength(6);
  });

  it('$request.ip is CF-Connecting-IP: one bucket per client address', async () => {
    const from = async (ip: string, second = false): Promise<number> =>
      (second
        ? await viaSecond('/ip', { 'cf-connecting-ip': ip })
        : await fetch(`${url}/ip`, { headers: { 'cf-connecting-ip': ip } })
      ).status;
    expect([await from('203.0.113.1'), await from('203.0.113.1', true), await from('203.0.113.1')]).toEqual([
      200, 200, 429,
    ]);
    expect([await from('203.0.113.2', true), await from('203.0.113.2')]).toEqual([200, 200]);
  });
});

describe('consumers from KV', () => {
  it('accepts a key whose hash is in the KV namespace, applies its plan, and never forwards it', async () => {
    upstream.reset();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${url}/keyed/x`, { headers: { 'x-api-key': KV_KEY } });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(upstream.requests[0]?.headers['x-consumer']).toBe('kv-acme');
    expect(upstream.requests[0]?.headers['x-api-key']).toBeUndefined();
    const unknown = await fetch(`${url}/keyed/x`, { headers: { 'x-api-key': 'not-in-kv' } });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { code: string }).code).toBe('ERR_API_KEY_INVALID');
  });
});

describe('workers_ratelimit store (Cloudflare rate-limiting binding)', () => {
  it('refuses with 429 once the binding says no, as Miniflare implements it', async () => {
    const config = {
      rate_limits: { flood: { limit: 3, window_s: 60 } },
      gateway: { rate_limit_store: { type: 'workers_ratelimit', binding: 'EDGE_LIMITER' } },
      paths: [{ method: 'GET', path: '/flood', rate_limit: 'flood', response: { ok: true } }],
    };
    const edge = new Miniflare({
      ...common,
      bindings: { SAG_API_CONFIG_JSON: JSON.stringify(config), GATEHOUSE_LOG_LEVEL: 'error' },
      ratelimits: { EDGE_LIMITER: { simple: { limit: 3, period: 60 } } },
      host: '127.0.0.1',
      port: 0,
      cf: false,
      log: new Log(LogLevel.WARN),
    });
    try {
      const base = (await edge.ready).origin;
      const answers: Response[] = [];
      for (let i = 0; i < 5; i++) answers.push(await fetch(`${base}/flood`));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
      // The binding reports no remaining count: the policy is announced, the RateLimit item is not.
      expect(answers[0]?.headers.get('ratelimit-policy')).toBe('"flood";q=3;w=60');
      expect(answers[0]?.headers.get('ratelimit')).toBeNull();
      expect(answers[3]?.headers.get('retry-after')).toBe('60');
    } finally {
      await edge.dispose();
    }
  });
});
