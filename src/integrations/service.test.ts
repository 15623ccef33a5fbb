import { describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../config/schema.js';
import { instantiateServices, serviceHandlerOf } from './service.js';

describe('serviceHandlerOf', () => {
  it('instantiates a default-exported class with fetch', () => {
    class Service {
      fetch(): string {
        return 'ok';
      }
    }
    const handler = serviceHandlerOf({ default: Service });
    expect(handler).toBeInstanceOf(Service);
  });

  it('uses a default-exported object with fetch as it is', () => {
    const service = { fetch: () => 'ok' };
    expect(serviceHandlerOf({ default: service })).toBe(service);
  });

  it('refuses anything else', () => {
    for (const namespace of [
      {},
      { default: null },
      { default: () => 'a bare function' },
      { default: { handle: () => 1 } },
      { fetch: () => 'a named fetch export' },
      undefined,
    ]) {
      expect(serviceHandlerOf(namespace)).toBeUndefined();
    }
  });
});

describe('instantiateServices', () => {
  const config = (entrypoints: string[]): GatewayConfig => ({
    services: entrypoints.map((entrypoint, i) => ({ alias: `s${i}`, entrypoint })),
    paths: [],
  });

  it('resolves each alias once, by the entrypoint as written', () => {
    const service = { fetch: () => null };
    const gateway = config(['./a.js']);
    const { services, problems } = instantiateServices(gateway, {
      './a.js': { default: service },
    });
    expect(problems).toEqual([]);
    const [entry] = gateway.services ?? [];
    expect(entry && services.get(entry)).toBe(service);
  });

  it('reports modules that were not supplied and constructors that throw', () => {
    class Throws {
      constructor() {
        throw new Error('no database');
      }
      fetch(): null {
        return null;
      }
    }
    const { problems } = instantiateServices(config(['./missing.js', './throws.js']), {
      './throws.js': { default: Throws },
    });
    expect(problems.map((p) => `${p.pointer}: ${p.message}`)).toEqual([
      '/services/0/entrypoint: module "./missing.js" was not loaded (Workers: not in this build)',
      '/services/1/entrypoint: constructing the default export of "./throws.js" failed: Error: no database',
    ]);
  });
});
