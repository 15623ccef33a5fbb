import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { family, parseExposition, sampleKey } from '../helpers/prometheus-text.js';

/**
 * Label cardinality as an attack: a client choosing paths, ids, query strings, methods, request
 * ids or trace headers must not be able to create metric series (each series is memory held
 * for the life of the process). Labels come from the config (route patterns, aliases,
 * authorizers) and from small closed sets (statuses, codes, methods Node's parser accepts).
 */
let gatehouse: RunningGatehouse;

beforeAll(async () => {
  gatehouse = await startGatehouse({
    source: inlineConfigSource({
      authorizer: { type: 'jwt', secret: 'cardinality-secret-0123456789-abcdefghijkl', algorithm: 'HS256' },
      paths: [
        { method: 'GET', path: '/items/{id}', response: { ok: true } },
        { method: 'GET', path: '/private/{id}', auth: true, response: { ok: true } },
      ],
    }),
    env: {},
    port: 0,
    admin: { port: 0 },
  });
});
afterAll(async () => {
  await gatehouse?.close(200);
});

describe('metrics label cardinality', () => {
  it('hostile paths, ids, queries, request ids and trace headers create no series', async () => {
    const n = 60;
    for (let i = 0; i < n; i++) {
      const noise = `${i}-${Math.random().toString(36).slice(2)}`;
      const headers = {
        'x-request-id': `req-${noise}`,
        traceparent: `00-${i.toString(16).padStart(32, 'a')}-${i.toString(16).padStart(16, 'b')}-01`,
        authorization: `Bearer not-a-token-${noise}`,
      };
      await fetch(`${gatehouse.url}/items/${noise}?q=${noise}`, { headers });
      await fetch(`${gatehouse.url}/nowhere/${noise}`, { headers });
      await fetch(`${gatehouse.url}/private/${noise}`, { headers });
    }
    const samples = parseExposition(await (await fetch(`${gatehouse.adminUrl as string}/metrics`)).text());
    expect(family(samples, 'gatehouse_requests_total')).toEqual({
      [sampleKey('gatehouse_requests_total', { route: '/items/{id}', method: 'GET', status: '200' })]: n,
      [sampleKey('gatehouse_requests_total', { route: '(none)', method: 'GET', status: '404' })]: n,
      [sampleKey('gatehouse_requests_total', { route: '/private/{id}', method: 'GET', status: '401' })]: n,
    });
    expect(family(samples, 'gatehouse_auth_failures_total')).toEqual({
      [sampleKey('gatehouse_auth_failures_total', { authorizer: 'default', code: 'ERR_JWS_INVALID' })]: n,
    });
    const gatehouseSeries = [...samples.keys()].filter((key) => key.startsWith('gatehouse_'));
    // 3 counters, 3 duration histograms of 14 buckets + +Inf + sum + count, 1 auth counter,
    // in-flight, 2 reload outcomes, config info.
    expect(gatehouseSeries).toHaveLength(3 + 3 * 17 + 1 + 1 + 2 + 1);
  });
});
