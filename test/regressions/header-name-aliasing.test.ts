import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHostileSetup, type HostileSetup } from './harness.js';

/**
 * Class: client headers whose names fold onto a header the gateway sets. CGI, WSGI, Rack and PHP
 * turn `X-User-Id`, `X_User_Id` and `x-user_id` into one `HTTP_X_USER_ID`, so a client-sent alias
 * beside the mapped `x-user-id` could decide the identity upstream. By default no header with
 * `_` is forwarded (as nginx); with gateway.allow_underscores_in_headers only the aliases of
 * gateway-set headers are dropped.
 */
const SECRET = 'k'.repeat(32);
let strict: HostileSetup;
let lenient: HostileSetup;
let token: string;

const config =
  (gateway: object) =>
  (upstream: string): object => ({
    servers: [{ alias: 'up', url: upstream }],
    authorizer: { type: 'jwt', secret: SECRET },
    gateway,
    paths: [
      {
        method: 'GET',
        path: '/me',
        auth: true,
        integration: { type: 'http_proxy', server: 'up' },
        mapping: { headers: { 'x-user-id': '$request.jwt.sub' } },
      },
    ],
  });

beforeAll(async () => {
  strict = await startHostileSetup(config({}));
  lenient = await startHostileSetup(config({ allow_underscores_in_headers: true }));
  token = await new SignJWT({ sub: 'u1' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));
});
afterAll(async () => {
  await strict.close();
  await lenient.close();
});
beforeEach(() => {
  strict.upstream.reset();
  lenient.upstream.reset();
});

const ALIASES = [
  'X_User_Id: admin',
  'x-user_id: admin',
  'X_USER_ID: admin',
  'x_user-id: admin',
  'X-User-Id: admin',
  'X_Forwarded_For: 6.6.6.6',
  'X_Real_IP: 6.6.6.6',
  'X_Request_Id: forged',
  'x_forwarded_host: evil.example',
];

function receivedNames(setup: HostileSetup): string[] {
  const raw = setup.upstream.requests[0]?.rawHeaders ?? [];
  return raw.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
}

describe('aliases of gateway-set headers', () => {
  it('by default no header with "_" reaches the upstream, and the mapped identity is the only one', async () => {
    const response = await strict.send('GET', '/me', [
      `Authorization: Bearer ${token}`,
      ...ALIASES,
      'X_Custom_Thing: kept?',
    ]);
    expect(response.status).toBe(200);
    const names = receivedNames(strict);
    expect(names.filter((n) => n.includes('_'))).toEqual([]);
    expect(strict.upstream.requests[0]?.headers['x-user-id']).toBe('u1');
    expect(names.filter((n) => n === 'x-user-id')).toHaveLength(1);
  });

  it('with allow_underscores_in_headers, other underscore headers pass but aliases of gateway-set ones do not', async () => {
    const response = await lenient.send('GET', '/me', [
      `Authorization: Bearer ${token}`,
      ...ALIASES,
      'X_Custom_Thing: kept',
    ]);
    expect(response.status).toBe(200);
    const received = lenient.upstream.requests[0];
    expect(received?.headers['x_custom_thing']).toBe('kept');
    const names = receivedNames(lenient);
    expect(names.filter((n) => n.includes('_'))).toEqual(['x_custom_thing']);
    expect(received?.headers['x-user-id']).toBe('u1');
    expect(received?.headers['x-forwarded-for']).toBe('127.0.0.1');
  });
});
