import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONFORMANCE_AUDIENCE, CONFORMANCE_ISSUER, CONFORMANCE_SECRET } from '../conformance/config.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import type { GatewayTarget, TargetFactory } from '../helpers/targets.js';
import { conformanceToken } from '../fixtures/keys.js';

/**
 * `service`, `service_binding` and `pre_process` over HTTP against any runtime target, like the
 * conformance suite: the modules are the files of test/fixtures/services, which each target
 * supplies its own way (Node: imported as `gatehouse start --binding` does; a Worker build:
 * bundled, bindings as service bindings). node.test.ts runs it on Node.
 */
export const SERVICE_FIXTURES = fileURLToPath(new URL('../fixtures/services/', import.meta.url));
const LEGACY_HMAC = 'legacy-hmac-secret-referenced-with-env-0123456789';

export const servicesConfig = {
  services: [
    { alias: 'results', entrypoint: './result-service.mjs' },
    { alias: 'plain', entrypoint: './object-service.mjs' },
  ],
  serviceBindings: [
    { alias: 'hooks', binding: 'HOOKS' },
    { alias: 'greeter', binding: 'GREETER' },
  ],
  servers: [{ alias: 'up', url: '$env.UPSTREAM' }],
  cors: { allow_origins: ['https://app.example.com'] },
  authorizer: {
    type: 'jwt',
    secret: '$secret.JWT_SECRET',
    algorithm: 'HS256',
    issuer: CONFORMANCE_ISSUER,
    audience: CONFORMANCE_AUDIENCE,
  },
  // An anchor-style config referencing an HMAC secret with `$env`: still a secret.
  authorizers: { legacy: { type: 'jwt', secret: '$env.LEGACY_HMAC', algorithm: 'HS256' } },
  variables: { region: '$env.REGION' },
  paths: [
    { method: 'ANY', path: '/svc/{kind}', integration: { type: 'service', binding: 'results' } },
    { method: 'GET', path: '/plain', integration: { type: 'service', binding: 'plain' } },
    {
      method: 'GET',
      path: '/svc-auth/{kind}',
      auth: true,
      integration: { type: 'service', binding: 'results' },
    },
    {
      method: 'GET',
      path: '/bind/{kind}',
      integration: { type: 'service_binding', binding: 'hooks', function: 'result' },
    },
    {
      method: 'ANY',
      path: '/inspect/{id}',
      auth: true,
      integration: { type: 'service_binding', binding: 'hooks', function: 'inspect' },
    },
    {
      method: 'GET',
      path: '/inspect-open/{.+}',
      integration: { type: 'service_binding', binding: 'hooks', function: 'inspect' },
    },
    {
      method: 'GET',
      path: '/greet/{name}',
      integration: { type: 'service_binding', binding: 'greeter', function: 'greet' },
    },
    {
      method: 'GET',
      path: '/stats',
      integration: { type: 'service_binding', binding: 'hooks', function: 'stats' },
    },
    {
      method: 'GET',
      path: '/hook/allow',
      pre_process: { binding: 'hooks', function: 'allow' },
      response: { ok: 1 },
    },
    {
      method: 'GET',
      path: '/hook/deny',
      pre_process: { binding: 'hooks', function: 'deny' },
      response: { ok: 1 },
    },
    {
      method: 'GET',
      path: '/hook/wrong',
      pre_process: { binding: 'hooks', function: 'wrong' },
      response: {},
    },
    {
      method: 'GET',
      path: '/hook/falsy',
      pre_process: { binding: 'hooks', function: 'falsy' },
      response: {},
    },
    {
      method: 'GET',
      path: '/hook/explode',
      pre_process: { binding: 'hooks', function: 'explode' },
      response: {},
    },
    {
      method: 'GET',
      path: '/hook/inspect/{id}',
      auth: true,
      pre_process: { binding: 'hooks', function: 'inspect' },
      response: { never: true },
    },
    {
      method: 'GET',
      path: '/hook/admin',
      auth: true,
      pre_process: { binding: 'hooks', function: 'adminOnly' },
      response: { admin: true },
    },
    {
      method: 'POST',
      path: '/hook/proxy-read/{.+}',
      pre_process: { binding: 'hooks', function: 'readBody' },
      integration: { type: 'http_proxy', server: 'up' },
    },
    {
      method: 'POST',
      path: '/hook/proxy-ignore/{.+}',
      pre_process: { binding: 'hooks', function: 'allow' },
      integration: { type: 'http_proxy', server: 'up' },
    },
    {
      method: 'POST',
      path: '/hook/service/{kind}',
      pre_process: { binding: 'hooks', function: 'readBody' },
      integration: { type: 'service', binding: 'results' },
    },
    {
      method: 'POST',
      path: '/hook/binding/{id}',
      pre_process: { binding: 'hooks', function: 'readBody' },
      integration: { type: 'service_binding', binding: 'hooks', function: 'inspect' },
    },
  ],
};

export function servicesEnv(upstreamUrl: string): Record<string, string> {
  return {
    UPSTREAM: upstreamUrl,
    REGION: 'eu-west-1',
    JWT_SECRET: CONFORMANCE_SECRET,
    LEGACY_HMAC,
    DB_PASSWORD: 'hunter2-unreferenced',
  };
}

/** Binding name → module file, for TargetOptions.bindings. */
export const SERVICE_BINDINGS = {
  HOOKS: `${SERVICE_FIXTURES}hooks-binding.mjs`,
  GREETER: `${SERVICE_FIXTURES}class-binding.mjs`,
};

export function servicesSuite(runtime: GatewayTarget['runtime'], startTarget: TargetFactory): void {
  describe(`service, service_binding and pre_process: ${runtime}`, () => {
    let upstream: RecordingUpstream;
    let target: GatewayTarget;
    const get = (path: string, init?: RequestInit): Promise<Response> =>
      fetch(`${target.url}${path}`, { redirect: 'manual', ...init });
    const stats = async (): Promise<Record<string, number>> =>
      ((await (await get('/stats')).json()) as { data: Record<string, number> }).data;

    beforeAll(async () => {
      upstream = await startRecordingUpstream();
      target = await startTarget(servicesConfig, servicesEnv(upstream.url), {
        baseDir: SERVICE_FIXTURES,
        bindings: SERVICE_BINDINGS,
      });
    });
    afterAll(async () => {
      await target?.close();
      await upstream?.close();
    });
    beforeEach(() => upstream.reset());

    describe('service result wrapping', () => {
      it('passes a Response through, decorated at the exit', { timeout: 5_000 }, async () => {
        const response = await get('/svc/response', { headers: { origin: 'https://app.example.com' } });
        expect(response.status).toBe(202);
        expect(response.headers.get('x-service')).toBe('yes');
        expect(response.headers.get('x-request-id')).toBeTruthy();
        expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
        expect(await response.text()).toBe('made by the service');
      });

      it('wraps an object with message and data', { timeout: 5_000 }, async () => {
        const response = await get('/svc/object');
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('application/json');
        expect(await response.text()).toBe('{"status":"success","message":"Fetched","data":{"id":7}}');
      });

      it('wraps a plain object as data', { timeout: 5_000 }, async () => {
        const response = await get('/svc/fields');
        expect(await response.json()).toEqual({
          status: 'success',
          message: 'Operation completed successfully.',
          data: { id: 7, name: 'seven' },
        });
      });

      it('uses statusCode as the HTTP status', { timeout: 5_000 }, async () => {
        const response = await get('/svc/status');
        expect(response.status).toBe(201);
        expect(await response.json()).toEqual({ status: 'success', message: 'Created', data: { id: 8 } });
      });

      it('answers an object with error as status "error", 500 by default', { timeout: 5_000 }, async () => {
        const response = await get('/svc/error');
        expect(response.status).toBe(500);
        expect(await response.json()).toEqual({
          status: 'error',
          message: 'An error occurred.',
          error: 'Something broke',
        });
      });

      it('keeps statusCode and message of an error object', { timeout: 5_000 }, async () => {
        const response = await get('/svc/error-status');
        expect(response.status).toBe(403);
        expect(await response.json()).toEqual({
          status: 'error',
          message: 'Forbidden here',
          error: 'Not yours',
        });
      });

      it(
        'answers a string as 200, the string as it is, typed application/json',
        { timeout: 5_000 },
        async () => {
          const response = await get('/svc/string');
          expect(response.status).toBe(200);
          expect(response.headers.get('content-type')).toBe('application/json');
          expect(await response.text()).toBe('plain text');
        },
      );

      it('answers null as an empty 200', { timeout: 5_000 }, async () => {
        const response = await get('/svc/null');
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBeNull();
        expect(await response.text()).toBe('');
      });

      it('answers undefined and a function as an empty 400', { timeout: 5_000 }, async () => {
        for (const kind of ['undefined', 'function']) {
          const response = await get(`/svc/${kind}`);
          expect(response.status).toBe(400);
          expect(await response.text()).toBe('');
        }
      });

      it('wraps an array as data', { timeout: 5_000 }, async () => {
        expect(await (await get('/svc/array')).json()).toEqual({
          status: 'success',
          message: 'Operation completed successfully.',
          data: [1, 2],
        });
      });

      it(
        'answers 500 ERR_INTERNAL for results it cannot represent or a throw',
        { timeout: 5_000 },
        async () => {
          for (const kind of ['bad-status', 'throw']) {
            const response = await get(`/svc/${kind}`);
            expect(response.status).toBe(500);
            expect(await response.json()).toMatchObject({ code: 'ERR_INTERNAL' });
          }
        },
      );

      it('accepts a default object with fetch', { timeout: 5_000 }, async () => {
        expect(await (await get('/plain')).text()).toBe('object service saw GET /plain');
      });

      it('instantiates a service class once', { timeout: 5_000 }, async () => {
        await get('/svc/instance');
        const body = (await (await get('/svc/instance')).json()) as {
          data: { constructed: number; calls: number };
        };
        expect(body.data.constructed).toBe(1);
        expect(body.data.calls).toBeGreaterThanOrEqual(2);
      });

      it('gives the service envJson and the route context, never secrets', { timeout: 5_000 }, async () => {
        const token = await conformanceToken({ sub: 'svc-user' });
        const response = await get('/svc-auth/context', {
          headers: { authorization: `Bearer ${token}`, 'x-request-id': 'svc-req-1' },
        });
        const text = await response.text();
        expect(JSON.parse(text)).toEqual({
          status: 'success',
          message: 'Operation completed successfully.',
          data: {
            env: { UPSTREAM: upstream.url, REGION: 'eu-west-1' },
            route: { method: 'GET', path: '/svc-auth/{kind}', params: { kind: 'context' } },
            claims: expect.objectContaining({ sub: 'svc-user' }),
            requestId: 'svc-req-1',
            waitUntil: 'function',
          },
        });
        expectNoSecrets(text);
      });

      it('gives the service the request body', { timeout: 5_000 }, async () => {
        const response = await get('/svc/echo', { method: 'POST', body: 'hello body' });
        expect(await response.json()).toMatchObject({ data: { method: 'POST', body: 'hello body' } });
      });
    });

    describe('service_binding', () => {
      it(
        'calls binding[function](request, envJson, contextJson) with exactly the documented values',
        {
          timeout: 5_000,
        },
        async () => {
          const token = await conformanceToken({ sub: 'user-42', role: 'reader' });
          const response = await get('/inspect/abc?x=1', {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'x-request-id': 'bind-req-1',
              'content-type': 'text/plain',
            },
            body: 'binding body',
          });
          expect(response.status).toBe(200);
          const text = await response.text();
          const seen = JSON.parse(text) as Record<string, unknown>;
          expect(seen).toEqual({
            method: 'POST',
            url: expect.stringMatching(/\/inspect\/abc\?x=1$/),
            body: 'binding body',
            env: { UPSTREAM: upstream.url, REGION: 'eu-west-1' },
            ctx: {
              route: { method: 'ANY', path: '/inspect/{id}', params: { id: 'abc' } },
              claims: {
                sub: 'user-42',
                role: 'reader',
                iss: CONFORMANCE_ISSUER,
                aud: CONFORMANCE_AUDIENCE,
                iat: expect.any(Number),
                exp: expect.any(Number),
              },
              requestId: 'bind-req-1',
            },
            extraArguments: 0,
          });
          expectNoSecrets(text);
        },
      );

      it('passes claims as null on a route without auth', { timeout: 5_000 }, async () => {
        const seen = (await (await get('/inspect-open/a/b')).json()) as { ctx: unknown };
        expect(seen.ctx).toEqual({
          route: { method: 'GET', path: '/inspect-open/{.+}', params: {} },
          claims: null,
          requestId: expect.any(String),
        });
      });

      it('wraps binding results like service results', { timeout: 5_000 }, async () => {
        const object = await get('/bind/object');
        expect(await object.json()).toEqual({
          status: 'success',
          message: 'From binding',
          data: { ok: true },
        });
        const error = await get('/bind/error');
        expect(error.status).toBe(422);
        expect(await error.json()).toEqual({
          status: 'error',
          message: 'An error occurred.',
          error: 'binding error',
        });
        expect(await (await get('/bind/string')).text()).toBe('binding text');
        expect(await (await get('/bind/null')).text()).toBe('');
        expect(await (await get('/bind/response')).text()).toBe('binding response');
      });

      it('calls a method of a default-exported class binding with its this', { timeout: 5_000 }, async () => {
        expect(await (await get('/greet/ada')).json()).toMatchObject({ data: { text: 'hello ada' } });
      });

      it('never reaches the binding when authorization fails', { timeout: 5_000 }, async () => {
        const before = (await stats()).inspect ?? 0;
        const response = await get('/inspect/abc');
        expect(response.status).toBe(401);
        expect((await stats()).inspect ?? 0).toBe(before);
      });
    });

    describe('pre_process hooks', () => {
      it('continues on true (static route)', { timeout: 5_000 }, async () => {
        const response = await get('/hook/allow');
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ ok: 1 });
      });

      it('answers with a returned Response, decorated', { timeout: 5_000 }, async () => {
        const response = await get('/hook/deny', { headers: { origin: 'https://app.example.com' } });
        expect(response.status).toBe(403);
        expect(response.headers.get('x-hook')).toBe('deny');
        expect(response.headers.get('x-request-id')).toBeTruthy();
        expect(response.headers.get('x-powered-by')).toBe('Gatehouse');
        expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
        expect(await response.json()).toEqual({ denied: '/hook/deny' });
      });

      it('answers 500 ERR_HOOK_FAILED for any other result or a throw', { timeout: 5_000 }, async () => {
        for (const path of ['/hook/wrong', '/hook/falsy', '/hook/explode']) {
          const response = await get(path);
          expect(response.status, path).toBe(500);
          expect(response.headers.get('x-request-id')).toBeTruthy();
          expect(await response.json()).toEqual({ error: 'Hook failed', code: 'ERR_HOOK_FAILED' });
        }
      });

      it(
        'gets the same arguments as a binding function, after authorization',
        { timeout: 5_000 },
        async () => {
          const token = await conformanceToken({ sub: 'hooked' });
          const response = await get('/hook/inspect/9', {
            headers: { authorization: `Bearer ${token}`, 'x-request-id': 'hook-req-1' },
          });
          const text = await response.text();
          expect(JSON.parse(text)).toMatchObject({
            method: 'GET',
            body: null,
            env: { UPSTREAM: upstream.url, REGION: 'eu-west-1' },
            ctx: {
              route: { method: 'GET', path: '/hook/inspect/{id}', params: { id: '9' } },
              claims: { sub: 'hooked' },
              requestId: 'hook-req-1',
            },
            extraArguments: 0,
          });
          expectNoSecrets(text);
        },
      );

      it('runs after authorization and sees the claims', { timeout: 5_000 }, async () => {
        const before = (await stats()).adminOnly ?? 0;
        expect((await get('/hook/admin')).status).toBe(401);
        expect((await stats()).adminOnly ?? 0).toBe(before);

        const reader = await conformanceToken({ role: 'reader' });
        const denied = await get('/hook/admin', { headers: { authorization: `Bearer ${reader}` } });
        expect(denied.status).toBe(403);
        expect(await denied.text()).toBe('admins only');

        const admin = await conformanceToken({ role: 'admin' });
        const allowed = await get('/hook/admin', { headers: { authorization: `Bearer ${admin}` } });
        expect(await allowed.json()).toEqual({ admin: true });
      });

      it('leaves the body readable by http_proxy after a hook read it', { timeout: 5_000 }, async () => {
        const response = await get('/hook/proxy-read/orders', { method: 'POST', body: 'order #1' });
        expect(response.status).toBe(200);
        expect(upstream.requests).toHaveLength(1);
        expect(upstream.requests[0]?.body).toBe('order #1');
      });

      it('leaves the body readable by http_proxy when the hook ignores it', { timeout: 5_000 }, async () => {
        const big = 'x'.repeat(256 * 1024);
        const response = await get('/hook/proxy-ignore/bulk', { method: 'POST', body: big });
        expect(response.status).toBe(200);
        expect(upstream.requests[0]?.body.length).toBe(big.length);
      });

      it(
        'leaves the body readable by a service and a binding after the hook',
        { timeout: 5_000 },
        async () => {
          const service = await get('/hook/service/echo', { method: 'POST', body: 'for the service' });
          expect(await service.json()).toMatchObject({ data: { body: 'for the service' } });
          const binding = await get('/hook/binding/1', { method: 'POST', body: 'for the binding' });
          expect(await binding.json()).toMatchObject({ body: 'for the binding' });
        },
      );

      it(
        'fails the hook (not the integration) when it refuses an empty body',
        { timeout: 5_000 },
        async () => {
          const response = await get('/hook/proxy-read/empty', { method: 'POST', body: '' });
          expect(response.status).toBe(500);
          expect(upstream.requests).toHaveLength(0);
        },
      );
    });

    function expectNoSecrets(text: string): void {
      for (const secret of [CONFORMANCE_SECRET, LEGACY_HMAC, 'hunter2-unreferenced']) {
        expect(text).not.toContain(secret);
      }
      for (const name of ['JWT_SECRET', 'LEGACY_HMAC', 'DB_PASSWORD']) expect(text).not.toContain(name);
    }
  });
}
