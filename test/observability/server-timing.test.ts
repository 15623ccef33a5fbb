import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { issueToken } from '../fixtures/keys.js';

/** `gateway.server_timing: true` on the Node gateway: which metrics appear on which answers. */
const SECRET = 'server-timing-secret-0123456789-abcdefghijkl';
let upstream: RecordingUpstream;
let on: RunningGatehouse;
let off: RunningGatehouse;

const config = (serverTiming: boolean | undefined) => ({
  servers: [{ alias: 'api', url: upstream.url }],
  authorizer: { type: 'jwt', secret: SECRET, algorithm: 'HS256' },
  ...(serverTiming === undefined ? {} : { gateway: { server_timing: serverTiming } }),
  paths: [
    { method: 'GET', path: '/api/{.+}', auth: true, integration: { type: 'http_proxy', server: 'api' } },
    { method: 'GET', path: '/static', response: { ok: true } },
  ],
});

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  on = await startGatehouse({ source: inlineConfigSource(config(true)), env: {}, port: 0 });
  off = await startGatehouse({ source: inlineConfigSource(config(undefined)), env: {}, port: 0 });
});
afterAll(async () => {
  await on?.close(200);
  await off?.close(200);
  await upstream?.close();
});

const token = (): Promise<string> => issueToken(SECRET, { sub: 'u' });

describe('Server-Timing', () => {
  it('names auth, upstream and total on a protected proxied route', async () => {
    const response = await fetch(`${on.url}/api/x`, {
      headers: { authorization: `Bearer ${await token()}` },
    });
    expect(response.status).toBe(200);
    const header = response.headers.get('server-timing') ?? '';
    expect(header).toMatch(/^auth;dur=\d+(\.\d+)?, upstream;dur=\d+(\.\d+)?, total;dur=\d+(\.\d+)?$/);
    const durations = Object.fromEntries(
      header.split(', ').map((m) => [m.split(';')[0], Number(m.split('=')[1])]),
    );
    expect(durations.total).toBeGreaterThanOrEqual(durations.upstream as number);
  });

  it('has only auth and total on a refused request, only total on a static route', async () => {
    const refused = await fetch(`${on.url}/api/x`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('server-timing')).toMatch(/^auth;dur=[\d.]+, total;dur=[\d.]+$/);
    expect((await fetch(`${on.url}/static`)).headers.get('server-timing')).toMatch(/^total;dur=[\d.]+$/);
    expect((await fetch(`${on.url}/nowhere`)).headers.get('server-timing')).toMatch(/^total;dur=[\d.]+$/);
  });

  it('is absent unless enabled', async () => {
    const response = await fetch(`${off.url}/api/x`, {
      headers: { authorization: `Bearer ${await token()}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('server-timing')).toBeNull();
  });
});
