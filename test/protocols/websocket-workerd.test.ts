import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebSocketUpstream, type WebSocketUpstream } from '../fixtures/websocket-upstream.js';
import { startWorkerdTarget } from '../helpers/workerd-target.js';
import type { GatewayTarget } from '../helpers/targets.js';
import { CONFORMANCE_JWT_AUTHORIZER, conformanceToken } from '../fixtures/keys.js';

/**
 * The Worker relays WebSockets through the runtime's pass-through (docs/PROTOCOLS.md
 * "WebSocket"): the same echo server as the Node test, through real workerd.
 */

let upstream: WebSocketUpstream;
let gateway: GatewayTarget;
let wsBase: string;

beforeAll(async () => {
  upstream = await startWebSocketUpstream();
  gateway = await startWorkerdTarget(
    {
      servers: [{ alias: 'echo', url: upstream.url }],
      authorizer: CONFORMANCE_JWT_AUTHORIZER,
      paths: [
        { method: 'GET', path: '/open/{.+}', integration: { type: 'http_proxy', server: 'echo' } },
        {
          method: 'GET',
          path: '/secure/{.+}',
          auth: true,
          integration: { type: 'http_proxy', server: 'echo' },
          websocket: { token_query: 'access_token' },
        },
        {
          method: 'GET',
          path: '/off/{.+}',
          integration: { type: 'http_proxy', server: 'echo' },
          websocket: false,
        },
      ],
    },
    {},
  );
  wsBase = gateway.url.replace('http://', 'ws://');
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

function connect(path: string): Promise<WebSocket> {
  const ws = new WebSocket(`${wsBase}${path}`, { maxPayload: 64 * 1024 * 1024 });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data: Buffer, binary) => resolve({ data, binary })));
}

describe('WebSocket relay in workerd', () => {
  it('echoes text and binary frames', async () => {
    const ws = await connect('/open/chat');
    ws.send('hello');
    const text = await nextMessage(ws);
    expect(text).toMatchObject({ binary: false });
    expect(text.data.toString()).toBe('hello');
    ws.send(Buffer.from([9, 8, 7]));
    const binary = await nextMessage(ws);
    expect(binary.binary).toBe(true);
    expect([...binary.data]).toEqual([9, 8, 7]);
    ws.close();
  });

  it('relays a 10 MB message', async () => {
    const ws = await connect('/open/big');
    const payload = Buffer.alloc(10 * 1024 * 1024, 7);
    ws.send(payload);
    const echoed = await nextMessage(ws);
    expect(echoed.data.equals(payload)).toBe(true);
    ws.close();
  });

  it("passes the upstream's close code through", async () => {
    const ws = await connect('/open/closing');
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('close:4002:done');
    expect(await closed).toBe(4002);
  });

  it('refuses without a token (401) and accepts the query token, removed before forwarding', async () => {
    const before = upstream.handshakes.length;
    await expect(connect('/secure/room')).rejects.toThrow('status 401');
    expect(upstream.handshakes.length).toBe(before);
    const token = await conformanceToken();
    const ws = await connect(`/secure/room?access_token=${token}`);
    expect(upstream.handshakes.at(-1)?.url).toBe('/room');
    ws.close();
  });

  it('answers 426 where off and 502 when the upstream refuses', async () => {
    await expect(connect('/off/chat')).rejects.toThrow('status 426');
    await expect(connect('/open/refuse')).rejects.toThrow('status 502');
  });
});
