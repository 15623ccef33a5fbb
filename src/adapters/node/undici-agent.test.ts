import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, undiciUtil } from './undici-agent.js';

describe("undici's Agent loaded without undici's entry", () => {
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    server = createServer((_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('is the class undici exports, with the request methods its entry adds', () => {
    // The entry is loaded here only to compare; the gateway never loads it.
    const entry = createRequire(import.meta.url)('undici') as typeof import('undici');
    expect(Agent).toBe(entry.Agent);
    expect(undiciUtil.parseHeaders).toBe(entry.util.parseHeaders);
    expect(typeof new Agent().request).toBe('function');
  });

  it('sends a request to a real server', async () => {
    const agent = new Agent();
    try {
      const { statusCode, body } = await agent.request({ origin, path: '/', method: 'GET' });
      expect(statusCode).toBe(200);
      expect(await body.text()).toBe('hello');
    } finally {
      await agent.close();
    }
  });
});
