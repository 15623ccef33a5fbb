import { describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../config/schema.js';
import type { RequestContext } from '../context.js';
import { isGatewayError } from '../errors/gateway-error.js';
import type { Platform } from '../platform.js';
import type { IntegrationDeps } from './definition.js';
import { bindingCall, checkBindings, createBindingEnv } from './service-binding.js';

const route = { method: 'GET' as const, path: '/r/{id}' };

function context(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    request: new Request('http://gw.test/r/1'),
    requestId: 'req-1',
    method: 'GET',
    path: '/r/1',
    search: '',
    host: 'gw.test',
    client: { address: '127.0.0.1', protocol: 'http' },
    clientAddress: { address: '127.0.0.1', chain: ['127.0.0.1'], viaTrustedProxy: false },
    signal: new AbortController().signal,
    params: { id: '1' },
    wildcardRest: undefined,
    claims: undefined,
    log: {},
    ...overrides,
  };
}

function deps(bindings: Record<string, unknown>, envJson: Record<string, string> = {}): IntegrationDeps {
  return {
    config: { serviceBindings: [{ alias: 'b', binding: 'B' }], paths: [] },
    platform: { bindings } as unknown as Platform,
    authorizers: new Map(),
    servers: new Map(),
    envJson,
    mappings: new Map(),
    flowAuthorizers: new Map(),
  };
}

describe('createBindingEnv', () => {
  const config: GatewayConfig = {
    authorizer: { type: 'jwt', secret: 'hmac-value' },
    authorizers: { other: { type: 'auth0', client_secret: 'client-secret-value' } },
    paths: [],
  };

  it('keeps only $env references, never $secret ones or unreferenced variables', () => {
    const referenced = new Map<string, 'env' | 'secret'>([
      ['REGION', 'env'],
      ['TOKEN', 'secret'],
    ]);
    const env = { REGION: 'eu', TOKEN: 't', OTHER: 'o' };
    expect(createBindingEnv({ paths: [] }, referenced, env)).toEqual({ REGION: 'eu' });
  });

  it('drops an $env variable whose value is an authorizer secret', () => {
    const referenced = new Map<string, 'env' | 'secret'>([
      ['HMAC', 'env'],
      ['CLIENT', 'env'],
      ['REGION', 'env'],
    ]);
    const env = { HMAC: 'hmac-value', CLIENT: 'client-secret-value', REGION: 'eu' };
    expect(createBindingEnv(config, referenced, env)).toEqual({ REGION: 'eu' });
  });

  it('turns scalar values into strings and is frozen', () => {
    const envJson = createBindingEnv({ paths: [] }, new Map([['PORT', 'env']]), { PORT: 8080 });
    expect(envJson).toEqual({ PORT: '8080' });
    expect(Object.isFrozen(envJson)).toBe(true);
  });
});

describe('checkBindings', () => {
  const config: GatewayConfig = {
    serviceBindings: [
      { alias: 'hooks', binding: 'HOOKS' },
      { alias: 'unused', binding: 'UNUSED' },
    ],
    paths: [
      { method: 'GET', path: '/a', pre_process: { binding: 'hooks', function: 'f' }, response: {} },
      {
        method: 'GET',
        path: '/b',
        integration: { type: 'service_binding', binding: 'hooks', function: 'g' },
      },
    ],
  };
  const lines = (problems: ReturnType<typeof checkBindings>): string[] =>
    problems.map((p) => `${p.severity} ${p.pointer}: ${p.message}`);

  it('reports a missing binding once, and never an unused one', () => {
    expect(lines(checkBindings(config, {}, 'error'))).toEqual([
      'error /serviceBindings/0/binding: binding "HOOKS" is not provided (Node: start with --binding HOOKS=PATH; Workers: declare the service binding in the wrangler config)',
    ]);
  });

  it('reports a binding that is not an object (a plain Workers var)', () => {
    expect(lines(checkBindings(config, { HOOKS: 'a string var' }, 'warning'))[0]).toMatch(
      /^warning \/serviceBindings\/0\/binding: binding "HOOKS" is not a service binding \(found a string\)/,
    );
  });

  it('reports each missing function at its route', () => {
    expect(lines(checkBindings(config, { HOOKS: { f: () => true } }, 'error'))).toEqual([
      'error /paths/1/integration/function: binding "HOOKS" has no function "g"',
    ]);
    expect(checkBindings(config, { HOOKS: { f: () => true, g: () => 1 } }, 'error')).toEqual([]);
  });
});

describe('bindingCall', () => {
  it('calls the function as a method with request, envJson and contextJson only', async () => {
    const target = {
      prefix: 'seen',
      fn(this: { prefix: string }, ...args: unknown[]) {
        return { self: this.prefix, args };
      },
    };
    const request = new Request('http://gw.test/r/1');
    const call = bindingCall(deps({ B: target }, { REGION: 'eu' }), route, 'B', 'fn');
    const result = (await call(request, context({ claims: { sub: 'u' } }))) as {
      self: string;
      args: unknown[];
    };
    expect(result.self).toBe('seen');
    expect(result.args).toEqual([
      request,
      { REGION: 'eu' },
      {
        route: { method: 'GET', path: '/r/{id}', params: { id: '1' } },
        claims: { sub: 'u' },
        requestId: 'req-1',
      },
    ]);
  });

  it('fails the request with ERR_INTERNAL when compiled without the binding', async () => {
    const call = bindingCall(deps({}), route, 'B', 'fn');
    const error = await call(new Request('http://gw.test/'), context()).catch((e: unknown) => e);
    expect(isGatewayError(error) && error.code).toBe('ERR_INTERNAL');
  });
});
