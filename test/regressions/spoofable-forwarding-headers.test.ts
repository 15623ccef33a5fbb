import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startPublicProxy, type HostileSetup } from './harness.js';

/**
 * Class: headers upstream frameworks read as the client's address, scheme or URL, beyond the
 * standard forwarding ones: Rails `Client-IP`, `True-Client-IP`, Rack `X-Forwarded-Scheme`/
 * `-Ssl`, Spring `X-Forwarded-Prefix`, IIS/Symfony `X-Original-URL`/`X-Rewrite-URL` (which make
 * the upstream serve another path than the one the gateway authorized). None is forwarded.
 */
let gw: HostileSetup;

beforeAll(async () => {
  gw = await startPublicProxy();
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

const SPOOFED = [
  'Client-IP: 6.6.6.6',
  'X-Client-IP: 6.6.6.6',
  'True-Client-IP: 6.6.6.6',
  'X-Cluster-Client-IP: 6.6.6.6',
  'X-Originating-IP: 6.6.6.6',
  'X-Remote-IP: 6.6.6.6',
  'X-Remote-Addr: 6.6.6.6',
  'CF-Connecting-IP: 6.6.6.6',
  'Fastly-Client-IP: 6.6.6.6',
  'X-Forwarded: for=6.6.6.6',
  'Forwarded-For: 6.6.6.6',
  'X-Forwarded-Server: evil.example',
  'X-Forwarded-Scheme: https',
  'X-Forwarded-Ssl: on',
  'Front-End-Https: on',
  'X-Url-Scheme: https',
  'X-Forwarded-Prefix: /admin',
  'X-Forwarded-Path: /admin',
  'X-Original-URL: /admin/secret',
  'X-Rewrite-URL: /admin/secret',
  'X-Override-URL: /admin/secret',
];

it('none of them reaches the upstream', async () => {
  const response = await gw.send('GET', '/public/x', [...SPOOFED, 'X-Kept: yes']);
  expect(response.status).toBe(200);
  const received = gw.upstream.requests[0]?.headers ?? {};
  for (const line of SPOOFED) {
    const name = line.slice(0, line.indexOf(':')).toLowerCase();
    expect(received[name], name).toBeUndefined();
  }
  expect(JSON.stringify(received)).not.toContain('6.6.6.6');
  expect(JSON.stringify(received)).not.toContain('/admin');
  expect(received['x-kept']).toBe('yes');
});
