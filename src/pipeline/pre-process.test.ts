import { describe, expect, it, vi } from 'vitest';
import type { RouteConfig } from '../config/schema.js';
import type { Handler, RequestContext } from '../context.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { IntegrationDeps } from '../integrations/definition.js';
import { silentLogger } from '../observability/logger.js';
import type { Platform } from '../platform.js';
import { createPreProcessStep } from './pre-process.js';

const route: RouteConfig = {
  method: 'ANY',
  path: '/h',
  pre_process: { binding: 'hooks', function: 'hook' },
  response: {},
};

function stepWith(hook: (request: Request, env: unknown, ctx: unknown) => unknown) {
  const deps: IntegrationDeps = {
    config: { serviceBindings: [{ alias: 'hooks', binding: 'HOOKS' }], paths: [route] },
    platform: { bindings: { HOOKS: { hook } }, logger: silentLogger } as unknown as Platform,
    authorizers: new Map(),
    servers: new Map(),
    envJson: {},
    mappings: new Map(),
    flowAuthorizers: new Map(),
  };
  return createPreProcessStep({ binding: 'hooks', function: 'hook' }, 'HOOKS', route, deps);
}

function context(request: Request): RequestContext {
  return {
    request,
    requestId: 'req-1',
    method: request.method,
    path: '/h',
    search: '',
    host: 'gw.test',
    client: { address: '127.0.0.1', protocol: 'http' },
    clientAddress: { address: '127.0.0.1', chain: ['127.0.0.1'], viaTrustedProxy: false },
    signal: new AbortController().signal,
    params: {},
    wildcardRest: undefined,
    claims: undefined,
    log: {},
  };
}

const get = (): Request => new Request('http://gw.test/h');
const post = (body: string): Request => new Request('http://gw.test/h', { method: 'POST', body });
const next = () => vi.fn<Handler>(() => Promise.resolve(new Response('from next')));

async function failureOf(result: unknown): Promise<GatewayError> {
  const error = await Promise.resolve(result).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

describe('pre_process step', () => {
  it('continues on true', async () => {
    const following = next();
    const response = (await stepWith(() => true)(context(get()), following)) as Response;
    expect(following).toHaveBeenCalledOnce();
    expect(await response.text()).toBe('from next');
  });

  it('answers with a returned Response and never continues', async () => {
    const following = next();
    const answer = new Response('stop', { status: 409 });
    expect(await stepWith(() => Promise.resolve(answer))(context(get()), following)).toBe(answer);
    expect(following).not.toHaveBeenCalled();
  });

  it.each([
    ['false', false],
    ['a string', 'true'],
    ['an object', { ok: true }],
    ['undefined', undefined],
    ['null', null],
    ['1', 1],
  ])('fails with ERR_HOOK_FAILED when it returns %s', async (_label, value) => {
    const following = next();
    const error = await failureOf(stepWith(() => value)(context(get()), following));
    expect(error.code).toBe('ERR_HOOK_FAILED');
    expect(error.detail).toMatchObject({
      hook: 'hooks.hook',
      reason: 'returned neither true nor a Response',
    });
    expect(following).not.toHaveBeenCalled();
  });

  it('fails with ERR_HOOK_FAILED when it throws, synchronously or not', async () => {
    for (const hook of [
      () => {
        throw new Error('sync');
      },
      () => Promise.reject(new Error('async')),
    ]) {
      const error = await failureOf(stepWith(hook)(context(get()), next()));
      expect(error.code).toBe('ERR_HOOK_FAILED');
      expect(error.detail).toMatchObject({ reason: 'threw', message: expect.stringMatching(/sync|async/) });
    }
  });

  it('hands a GET request over as it is (no clone)', async () => {
    const request = get();
    let seen: Request | undefined;
    await stepWith((r) => ((seen = r), true))(context(request), next());
    expect(seen).toBe(request);
  });

  it('hands a request with a body over as a clone, leaving the body to the integration', async () => {
    const request = post('payload');
    let seen: Request | undefined;
    const following = vi.fn<Handler>(async (ctx) => new Response(await ctx.request.text()));
    const step = stepWith(async (r) => {
      seen = r;
      return (await r.text()) === 'payload';
    });
    const response = (await step(context(request), following)) as Response;
    expect(seen).not.toBe(request);
    expect(await response.text()).toBe('payload');
  });
});
