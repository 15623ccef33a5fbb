import { readFileSync, writeFileSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGatehouseProcess, type StartedGatehouse } from '../helpers/cli-process.js';
import { createSelfSigned, type SelfSigned } from '../fixtures/self-signed.js';
import { listenOnLoopback } from '../fixtures/loopback.js';

/**
 * `servers[].http2: true` (docs/PROTOCOLS.md "Upstream HTTP/2"): the gateway offers h2 by ALPN
 * to an https upstream; without it, the same upstream is spoken to in HTTP/1.1. The gateway runs
 * as `gatehouse start`, trusting the test's self-signed certificate through NODE_EXTRA_CA_CERTS.
 */

let cert: SelfSigned;
let upstream: Http2SecureServer;
let gateway: StartedGatehouse;

beforeAll(async () => {
  cert = createSelfSigned();
  upstream = createSecureServer({ cert: cert.cert, key: readKey(cert), allowHTTP1: true }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ httpVersion: req.httpVersion, path: req.url }));
  });
  const url = await listenOnLoopback(upstream, 'https');
  const configFile = join(dirname(cert.certFile), 'api-config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      servers: [
        { alias: 'h2', url, http2: true },
        { alias: 'h1', url },
      ],
      paths: [
        { method: 'GET', path: '/h2/{.+}', integration: { type: 'http_proxy', server: 'h2' } },
        { method: 'GET', path: '/h1/{.+}', integration: { type: 'http_proxy', server: 'h1' } },
      ],
    }),
  );
  gateway = await startGatehouseProcess(['--config', configFile], { NODE_EXTRA_CA_CERTS: cert.certFile });
});

afterAll(async () => {
  await gateway?.stop();
  upstream?.close();
  cert?.remove();
});

function readKey(files: SelfSigned): Buffer {
  return readFileSync(files.keyFile);
}

it('speaks HTTP/2 to an upstream whose server sets http2: true, HTTP/1.1 otherwise', async () => {
  const viaH2 = (await (await fetch(`${gateway.url}/h2/a`)).json()) as { httpVersion: string; path: string };
  expect(viaH2).toEqual({ httpVersion: '2.0', path: '/a' });
  const viaH1 = (await (await fetch(`${gateway.url}/h1/b`)).json()) as { httpVersion: string; path: string };
  expect(viaH1).toEqual({ httpVersion: '1.1', path: '/b' });
});
