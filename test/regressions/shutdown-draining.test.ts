import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';

/**
 * Class: requests slipping in during shutdown. On SIGTERM (RunningGatehouse.close) responses in
 * flight carry `Connection: close`, idle keep-alive sockets are closed at once, a new request on a
 * socket still open gets 503 ERR_SHUTTING_DOWN with `Connection: close`, and close() resolves
 * when the last connection is gone (or at the drain deadline).
 */
let upstream: RecordingUpstream;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
});
afterAll(() => upstream.close());

async function startGateway(): Promise<RunningGatehouse> {
  return startGatehouse({
    source: inlineConfigSource({
      servers: [{ alias: 'up', url: upstream.url }],
      paths: [
        { method: 'GET', path: '/health', response: { ok: true } },
        { method: 'ANY', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } },
      ],
    }),
    env: {},
    port: 0,
  });
}

interface Conversation {
  readonly socket: Socket;
  readonly text: () => string;
  readonly closed: Promise<number>;
}

function open(url: string): Promise<Conversation> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => resolve({ socket, text: () => text, closed }));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((done) => socket.on('close', () => done(Date.now())));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const get = (path: string, host: string): string => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`;

it('in-flight responses carry Connection: close; idle keep-alive sockets close at once', async () => {
  const gateway = await startGateway();
  const host = new URL(gateway.url).host;
  const idle = await open(gateway.url);
  idle.socket.write(get('/health', host));
  const busy = await open(gateway.url);
  busy.socket.write(get('/up/slow/600', host));
  await sleep(200);
  expect(idle.text()).toMatch(/^HTTP\/1\.1 200/);

  const started = Date.now();
  const closing = gateway.close(5_000);
  expect((await idle.closed) - started).toBeLessThan(500);
  await busy.closed;
  expect(busy.text()).toMatch(/^HTTP\/1\.1 200/);
  expect(busy.text().toLowerCase()).toContain('connection: close');
  await closing;
  expect(Date.now() - started).toBeLessThan(3_000);
});

it('a new request on a socket still open gets 503 with Connection: close', async () => {
  const gateway = await startGateway();
  const host = new URL(gateway.url).host;
  const conversation = await open(gateway.url);
  conversation.socket.write(get('/up/trickle/700', host));
  await sleep(250); // the streamed response's head is out; its body is not finished
  const closing = gateway.close(5_000);
  await sleep(50);
  conversation.socket.write(get('/health', host));
  await conversation.closed;
  await closing;
  const [first = '', second = ''] = conversation.text().split(/(?=HTTP\/1\.1 )/);
  expect(first).toMatch(/^HTTP\/1\.1 200/);
  expect(first).toContain('last');
  expect(second).toMatch(/^HTTP\/1\.1 503/);
  expect(second.toLowerCase()).toContain('connection: close');
  expect(second).toContain('"code":"ERR_SHUTTING_DOWN"');
});

it('close() resolves at the drain deadline when a response never ends', async () => {
  const gateway = await startGateway();
  const host = new URL(gateway.url).host;
  const conversation = await open(gateway.url);
  conversation.socket.write(get('/up/silent', host));
  await sleep(100);
  const started = Date.now();
  await gateway.close(800);
  expect(Date.now() - started).toBeLessThan(2_500);
  await conversation.closed;
});
