import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inlineConfigSource,
  startGatehouse,
  type RunningGatehouse,
} from '../../src/adapters/node/start-gatehouse.js';
import { startJwksServer, type JwksServer } from '../fixtures/jwks-server.js';
import { createKeyPair, issueToken, type TestKeyPair } from '../fixtures/keys.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { family, parseExposition, promtoolCheck, sampleKey } from '../helpers/prometheus-text.js';
import { rawRequest } from '../helpers/raw-http.js';

/**
 * Prometheus metrics through the real Node assembly (`gatehouse start` minus signals): a known
 * mix of requests — every route, 404, 405, the reachable 401 rows, a 403, upstream 502 and 504 —
 * and the scraped counters must be exactly that mix. The exposition must satisfy promtool.
 */
const SECRET = 'metrics-test-secret-0123456789-abcdefghijklmnop';
const ISSUER = 'https://issuer.metrics.test/';
const AUDIENCE = 'metrics-api';
const now = (): number => Math.floor(Date.now() / 1000);

let upstream: RecordingUpstream;
let jwks: JwksServer;
let rsa: TestKeyPair;
let gatehouse: RunningGatehouse;
let admin: string;

const hsToken = (claims: Record<string, unknown> = {}, secret = SECRET): Promise<string> => {
  const { aud, exp, ...rest } = claims as { aud?: string; exp?: number };
  return issueToken(
    secret,
    { sub: 'user-1', scope: 'read', ...rest },
    { issuer: ISSUER, audience: aud ?? AUDIENCE, expiresIn: exp ?? now() + 300 },
  );
};

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  rsa = await createKeyPair('RS256', 'rs-key');
  jwks = await startJwksServer([rsa.publicJwk]);
  gatehouse = await startGatehouse({
    source: inlineConfigSource({
      servers: [
        { alias: 'api', url: upstream.url },
        // Port 1 refuses connections: every call is a 502.
        { alias: 'dead', url: 'http://127.0.0.1:1' },
        { alias: 'slow', url: upstream.url, timeout_ms: 150 },
      ],
      authorizers: {
        hs: { type: 'jwt', secret: SECRET, algorithm: 'HS256', issuer: ISSUER, audience: AUDIENCE },
        rs: { type: 'jwt', jwks_uri: jwks.jwksUrl, algorithms: ['RS256'] },
      },
      paths: [
        { method: 'GET', path: '/static', response: { ok: true } },
        { method: 'GET', path: '/api/{.+}', integration: { type: 'http_proxy', server: 'api' } },
        { method: 'GET', path: '/dead/{.+}', integration: { type: 'http_proxy', server: 'dead' } },
        { method: 'GET', path: '/slow/{.+}', integration: { type: 'http_proxy', server: 'slow' } },
        { method: 'GET', path: '/hs/{id}', auth: 'hs', response: { ok: true } },
        { method: 'GET', path: '/admin', auth: 'hs', scopes: ['admin'], response: { ok: true } },
        { method: 'GET', path: '/rs', auth: 'rs', response: { ok: true } },
      ],
    }),
    env: {},
    port: 0,
    admin: { port: 0 },
  });
  admin = gatehouse.adminUrl as string;
});

afterAll(async () => {
  await gatehouse?.close(500);
  await upstream?.close();
  await jwks?.close();
});

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${gatehouse.url}${path}`, init);
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return { status: response.status, ...(code === undefined ? {} : { code }) };
}

const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });

async function scrape(): Promise<{ text: string; samples: Map<string, number> }> {
  const response = await fetch(`${admin}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  return { text, samples: parseExposition(text) };
}

describe('Prometheus metrics after a known mix of requests', () => {
  it('counts every request exactly, by route pattern, method, status and auth code', async () => {
    const valid = await hsToken();
    const other = await createKeyPair('RS256', 'unknown-kid');
    const mix: [string, RequestInit, number, string?][] = [
      ['/static', {}, 200],
      ['/static', {}, 200],
      // HEAD is served by the GET route, and counted under its own method.
      ['/static', { method: 'HEAD' }, 200],
      ['/static', { method: 'POST' }, 405, 'ERR_METHOD_NOT_ALLOWED'],
      ['/api/items/1', {}, 200],
      ['/api/items/2?q=1', {}, 200],
      ['/api/status/503', {}, 503],
      ['/dead/x', {}, 502, 'ERR_UPSTREAM_UNAVAILABLE'],
      ['/dead/y', {}, 502, 'ERR_UPSTREAM_UNAVAILABLE'],
      ['/slow/silent', {}, 504, 'ERR_UPSTREAM_TIMEOUT'],
      ['/nowhere', {}, 404, 'ERR_NO_ROUTE'],
      ['/also/nowhere', { method: 'DELETE' }, 404, 'ERR_NO_ROUTE'],
      ['/hs/1', bearer(valid), 200],
      ['/hs/2', bearer(valid), 200],
      ['/hs/3', {}, 401, 'AUTH_ERROR'],
      ['/hs/4', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }, 401, 'AUTH_ERROR'],
      ['/hs/5', bearer(await hsToken({ exp: now() - 600 })), 401, 'ERR_JWT_EXPIRED'],
      ['/hs/6', bearer(await hsToken({ aud: 'another-api' })), 401, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [
        '/hs/7',
        bearer(await hsToken({}, 'a-different-secret-0123456789-abcdefghijklmnop')),
        401,
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      ],
      ['/hs/8', bearer('eyJhbGciOiJub25lIn0.e30.'), 401, 'ERR_JOSE_ALG_NOT_ALLOWED'],
      ['/hs/9', bearer('a.b.c.d.e'), 401, 'ERR_JWE_INVALID'],
      ['/hs/10', bearer('eyJhbGciOiJIUzI1NiJ9.e30=.sig'), 401, 'ERR_JWS_INVALID'],
      ['/admin', bearer(valid), 403, 'ERR_INSUFFICIENT_SCOPE'],
      ['/rs', bearer(await rsToken(other)), 401, 'ERR_JWKS_NO_MATCHING_KEY'],
      ['/rs', bearer(await rsToken(rsa)), 200],
    ];
    for (const [path, init, status, code] of mix) {
      const answer = await call(path, init);
      expect(answer.status, `${init.method ?? 'GET'} ${path}`).toBe(status);
      if (code !== undefined) expect(answer.code, `${init.method ?? 'GET'} ${path}`).toBe(code);
    }

    const { samples } = await scrape();
    const requests = (route: string, method: string, status: string) =>
      sampleKey('gatehouse_requests_total', { route, method, status });
    expect(family(samples, 'gatehouse_requests_total')).toEqual({
      [requests('/static', 'GET', '200')]: 2,
      [requests('/static', 'HEAD', '200')]: 1,
      [requests('(none)', 'POST', '405')]: 1,
      [requests('/api/{.+}', 'GET', '200')]: 2,
      [requests('/api/{.+}', 'GET', '503')]: 1,
      [requests('/dead/{.+}', 'GET', '502')]: 2,
      [requests('/slow/{.+}', 'GET', '504')]: 1,
      [requests('(none)', 'GET', '404')]: 1,
      [requests('(none)', 'DELETE', '404')]: 1,
      [requests('/hs/{id}', 'GET', '200')]: 2,
      [requests('/hs/{id}', 'GET', '401')]: 8,
      [requests('/admin', 'GET', '403')]: 1,
      [requests('/rs', 'GET', '401')]: 1,
      [requests('/rs', 'GET', '200')]: 1,
    });
    const auth = (authorizer: string, code: string) =>
      sampleKey('gatehouse_auth_failures_total', { authorizer, code });
    expect(family(samples, 'gatehouse_auth_failures_total')).toEqual({
      [auth('hs', 'AUTH_ERROR')]: 2,
      [auth('hs', 'ERR_JWT_EXPIRED')]: 1,
      [auth('hs', 'ERR_JWT_CLAIM_VALIDATION_FAILED')]: 1,
      [auth('hs', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')]: 1,
      [auth('hs', 'ERR_JOSE_ALG_NOT_ALLOWED')]: 1,
      [auth('hs', 'ERR_JWE_INVALID')]: 1,
      [auth('hs', 'ERR_JWS_INVALID')]: 1,
      [auth('hs', 'ERR_INSUFFICIENT_SCOPE')]: 1,
      [auth('rs', 'ERR_JWKS_NO_MATCHING_KEY')]: 1,
    });
    expect(family(samples, 'gatehouse_upstream_errors_total')).toEqual({
      [sampleKey('gatehouse_upstream_errors_total', { server: 'dead', code: 'ERR_UPSTREAM_UNAVAILABLE' })]: 2,
      [sampleKey('gatehouse_upstream_errors_total', { server: 'slow', code: 'ERR_UPSTREAM_TIMEOUT' })]: 1,
    });
    const upstreamCount = (server: string, outcome: string) =>
      samples.get(sampleKey('gatehouse_upstream_duration_seconds_count', { server, outcome }));
    expect(upstreamCount('api', 'response')).toBe(3);
    expect(upstreamCount('dead', 'unavailable')).toBe(2);
    expect(upstreamCount('slow', 'timeout')).toBe(1);
    // The timed-out call took at least its timeout.
    expect(
      samples.get(
        sampleKey('gatehouse_upstream_duration_seconds_sum', { server: 'slow', outcome: 'timeout' }),
      ),
    ).toBeGreaterThanOrEqual(0.14);
    const durationCount = (route: string, method: string, statusClass: string) =>
      samples.get(
        sampleKey('gatehouse_request_duration_seconds_count', { route, method, status_class: statusClass }),
      );
    expect(durationCount('/hs/{id}', 'GET', '4xx')).toBe(8);
    expect(durationCount('/hs/{id}', 'GET', '2xx')).toBe(2);
    expect(durationCount('/api/{.+}', 'GET', '5xx')).toBe(1);
    expect(durationCount('(none)', 'GET', '4xx')).toBe(1);
    // +Inf bucket equals the count.
    expect(
      samples.get(
        sampleKey('gatehouse_request_duration_seconds_bucket', {
          route: '/hs/{id}',
          method: 'GET',
          status_class: '4xx',
          le: '+Inf',
        }),
      ),
    ).toBe(8);
    // The key set was fetched once (at start) and once more for the unknown kid.
    const fetches = family(samples, 'gatehouse_key_set_fetches_total');
    expect(fetches).toEqual({
      [sampleKey('gatehouse_key_set_fetches_total', { authorizer: 'rs', outcome: 'ok' })]: jwks.hits,
    });
    expect(jwks.hits).toBeGreaterThanOrEqual(1);
    expect(samples.get('gatehouse_in_flight_requests')).toBe(0);
    expect(samples.get(sampleKey('gatehouse_config_reloads_total', { outcome: 'ok' }))).toBe(0);
    const info = Object.entries(family(samples, 'gatehouse_config_info'));
    expect(info).toHaveLength(1);
    expect(info[0]?.[0]).toMatch(/^gatehouse_config_info\{hash="[0-9a-f]{12}",routes="7"\}$/);
    expect(info[0]?.[1]).toBe(1);
    // Default process metrics are there.
    expect(samples.has('process_cpu_user_seconds_total')).toBe(true);
    expect(samples.has('nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('serves an exposition that passes promtool check metrics', async () => {
    const { text } = await scrape();
    const result = promtoolCheck(text);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('counts an in-flight request while it waits for the upstream', async () => {
    const pending = fetch(`${gatehouse.url}/api/slow/400`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const { samples } = await scrape();
    expect(samples.get('gatehouse_in_flight_requests')).toBe(1);
    expect((await pending).status).toBe(200);
  });

  it('counts requests the HTTP parser refused (431, 400) with route and method (none)', async () => {
    const host = new URL(gatehouse.url).host;
    const tooLarge = await rawRequest(
      gatehouse.url,
      `GET /static HTTP/1.1\r\nHost: ${host}\r\nCookie: c=${'x'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(tooLarge.status).toBe(431);
    const malformed = await rawRequest(
      gatehouse.url,
      `GET /static HTTP/1.1\r\nHost: ${host}\r\nBad Header\r\n\r\n`,
    );
    expect(malformed.status).toBe(400);
    const { samples } = await scrape();
    const refused = (status: string) =>
      samples.get(sampleKey('gatehouse_requests_total', { route: '(none)', method: '(none)', status }));
    expect(refused('431')).toBe(1);
    expect(refused('400')).toBe(1);
  });

  it('answers 404 and 405 on the admin listener for anything but its handlers', async () => {
    expect((await fetch(`${admin}/nope`)).status).toBe(404);
    const post = await fetch(`${admin}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    // The admin paths are not on the public listener.
    expect((await fetch(`${gatehouse.url}/metrics`)).status).toBe(404);
  });
});

function rsToken(pair: TestKeyPair): Promise<string> {
  return issueToken(pair, { sub: 'user-1' });
}
