import { execFile } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { connect, type ClientHttp2Session } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { copyFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { createSelfSigned, type SelfSigned } from '../fixtures/self-signed.js';
import { startWebSocketUpstream, type WebSocketUpstream } from '../fixtures/websocket-upstream.js';

/**
 * HTTPS with HTTP/2 by ALPN beside HTTP/1.1, and h2c with prior knowledge, through
 * `gatehouse start` (docs/PROTOCOLS.md "TLS and HTTP/2"), with a self-signed certificate made
 * by the openssl CLI for this run.
 */

let cert: SelfSigned;
let upstream: RecordingUpstream;
let wsUpstream: WebSocketUpstream;
let tlsGateway: RunningGatehouse;
let h2cGateway: RunningGatehouse;

const config = (upstreamUrl: string, wsUrl: string): object => ({
  servers: [
    { alias: 'up', url: upstreamUrl },
    { alias: 'ws', url: wsUrl },
  ],
  gateway: { max_body_bytes: 1000 },
  paths: [
    { method: 'GET', path: '/health', response: { status: 'ok' } },
    { method: 'ANY', path: '/up/{.+}', integration: { type: 'http_proxy', server: 'up' } },
    { method: 'GET', path: '/ws/{.+}', integration: { type: 'http_proxy', server: 'ws' } },
  ],
});

beforeAll(async () => {
  cert = createSelfSigned();
  upstream = await startRecordingUpstream();
  wsUpstream = await startWebSocketUpstream();
  tlsGateway = await startGatehouse({
    source: inlineConfigSource(config(upstream.url, wsUpstream.url)),
    env: {},
    port: 0,
    tls: { certFile: cert.certFile, keyFile: cert.keyFile },
  });
  h2cGateway = await startGatehouse({
    source: inlineConfigSource(config(upstream.url, wsUpstream.url)),
    env: {},
    port: 0,
    h2c: true,
  });
});

afterAll(async () => {
  await tlsGateway?.close(500);
  await h2cGateway?.close(500);
  await upstream?.close();
  await wsUpstream?.close();
  cert?.remove();
});

interface H2Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function h2(session: ClientHttp2Session, path: string, method = 'GET', body?: string): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ':path': path, ':method': method };
    if (body !== undefined) headers['content-type'] = 'text/plain';
    const stream = session.request(headers, { endStream: body === undefined });
    let answer: Omit<H2Answer, 'body'> | undefined;
    let text = '';
    stream.setEncoding('utf8');
    stream.on('response', (h) => {
      answer = { status: Number(h[':status']), headers: h as H2Answer['headers'] };
    });
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve({ ...(answer as Omit<H2Answer, 'body'>), body: text }));
    stream.on('error', reject);
    if (body !== undefined) stream.end(body);
  });
}

async function withSession<T>(url: string, use: (session: ClientHttp2Session) => Promise<T>): Promise<T> {
  const session = connect(url, { ca: cert.cert });
  try {
    return await use(session);
  } finally {
    session.close();
  }
}

describe('HTTPS with HTTP/2 by ALPN', () => {
  it('serves HTTP/2 over TLS: a static route and a proxied POST with its body', async () => {
    await withSession(tlsGateway.url, async (session) => {
      const health = await h2(session, '/health');
      expect(session.alpnProtocol).toBe('h2');
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
      expect(health.headers['x-request-id']).toBeTruthy();
      const proxied = await h2(session, '/up/echo?x=1', 'POST', 'hello over h2');
      expect(proxied.status).toBe(200);
      const recorded = upstream.requests.at(-1);
      expect(recorded?.body).toBe('hello over h2');
      expect(recorded?.url).toBe('/echo?x=1');
      expect(recorded?.headers['x-forwarded-proto']).toBe('https');
      expect(recorded?.headers.host).toBe(new URL(upstream.url).host);
    });
  });

  it('emits no connection-specific header on HTTP/2, even where HTTP/1.1 gets Connection: close', async () => {
    await withSession(tlsGateway.url, async (session) => {
      const tooLarge = await h2(session, '/up/echo', 'POST', 'x'.repeat(5000));
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.headers.connection).toBeUndefined();
      const proxied = await h2(session, '/up/headers');
      expect(proxied.status).toBe(200);
      for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade']) {
        expect(proxied.headers[name]).toBeUndefined();
      }
    });
  });

  it("answers CONNECT on HTTP/2 with the catalogue's 501, as on HTTP/1.1 (never node:http2's bare 405)", async () => {
    for (const url of [tlsGateway.url, h2cGateway.url]) {
      await withSession(url, async (session) => {
        const answer = await new Promise<H2Answer>((resolve, reject) => {
          const stream = session.request({ ':method': 'CONNECT', ':authority': 'example.com:443' });
          let head: Omit<H2Answer, 'body'> | undefined;
          let text = '';
          stream.setEncoding('utf8');
          stream.on('response', (h) => (head = { status: Number(h[':status']), headers: h }));
          stream.on('data', (chunk: string) => (text += chunk));
          stream.on('end', () => resolve({ ...(head as Omit<H2Answer, 'body'>), body: text }));
          stream.on('error', reject);
        });
        expect(answer.status).toBe(501);
        expect(JSON.parse(answer.body)).toMatchObject({ code: 'ERR_NOT_IMPLEMENTED' });
        expect(answer.headers['x-request-id']).toBeTruthy();
        expect(answer.headers['x-powered-by']).toBe('Gatehouse');
      });
    }
  });

  it('serves HTTP/1.1 over TLS on the same port', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(`${tlsGateway.url}/health`, { ca: cert.cert }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('{"status":"ok"}');
  });

  it('relays a WebSocket over TLS (wss) on HTTP/1.1', async () => {
    const ws = new WebSocket(`${tlsGateway.url.replace('https', 'wss')}/ws/chat`, { ca: cert.cert });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send('secure hello');
    const echoed = await new Promise<string>((resolve) =>
      ws.once('message', (d: Buffer) => resolve(d.toString())),
    );
    expect(echoed).toBe('secure hello');
    ws.close();
  });

  it('curl --http2 negotiates h2', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'curl',
        [
          '-sS',
          '--http2',
          '--cacert',
          cert.certFile,
          '-o',
          '/dev/null',
          '-w',
          '%{http_version} %{http_code}',
          `${tlsGateway.url}/health`,
        ],
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    expect(out).toBe('2 200');
  });

  it('reloads the certificate: new connections get the new one', async () => {
    const fingerprint = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = tlsConnect(
          { host: '127.0.0.1', port: Number(new URL(tlsGateway.url).port), rejectUnauthorized: false },
          () => {
            resolve(socket.getPeerCertificate().fingerprint256);
            socket.end();
          },
        );
        socket.on('error', reject);
      });
    const before = await fingerprint();
    const fresh = createSelfSigned(dirname(cert.certFile), 'fresh');
    copyFileSync(fresh.certFile, cert.certFile);
    copyFileSync(fresh.keyFile, cert.keyFile);
    await tlsGateway.reloadTls();
    const after = await fingerprint();
    expect(after).not.toBe(before);
    cert = { ...cert, cert: fresh.cert };
    const status = await withSession(
      tlsGateway.url,
      async (session) => (await h2(session, '/health')).status,
    );
    expect(status).toBe(200);
  });
});

describe('h2c with prior knowledge', () => {
  it('serves HTTP/2 without TLS and HTTP/1.1 on the same port', async () => {
    await withSession(h2cGateway.url, async (session) => {
      const health = await h2(session, '/health');
      expect(health.status).toBe(200);
      const proxied = await h2(session, '/up/echo', 'POST', 'cleartext h2');
      expect(proxied.status).toBe(200);
      expect(upstream.requests.at(-1)?.body).toBe('cleartext h2');
      expect(upstream.requests.at(-1)?.headers['x-forwarded-proto']).toBe('http');
    });
    const plain = await fetch(`${h2cGateway.url}/health`);
    expect(plain.status).toBe(200);
  });

  it('knows the client address of an h2c connection, as of HTTP/1.1 and TLS ones', async () => {
    // node:http2 reads an h2c connection through a JS stream whose peer address it cannot ask;
    // without the address, X-Forwarded-For and per-address rate limits were lost on h2c.
    await withSession(h2cGateway.url, async (session) => {
      expect((await h2(session, '/up/h2c-address')).status).toBe(200);
    });
    expect(upstream.requests.at(-1)?.url).toBe('/h2c-address');
    expect(upstream.requests.at(-1)?.headers['x-forwarded-for']).toBe('127.0.0.1');
    await withSession(tlsGateway.url, async (session) => {
      expect((await h2(session, '/up/tls-address')).status).toBe(200);
    });
    expect(upstream.requests.at(-1)?.headers['x-forwarded-for']).toBe('127.0.0.1');
  });
});
