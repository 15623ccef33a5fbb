import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscoveryServer, type DiscoveryServer } from '../../test/fixtures/discovery-server.js';
import { DEFAULT_REMOTE_KEY_SET_OPTIONS } from '../auth/remote-key-set.js';
import { DiscoveryError, discoveryUrl, IssuerDiscovery } from './discovery.js';

/** Discovery against a real metadata host on 127.0.0.1, with the caller's clock moved by hand. */
let server: DiscoveryServer;
const WELL_KNOWN = '/realms/demo/.well-known/openid-configuration';
const options = { ...DEFAULT_REMOTE_KEY_SET_OPTIONS, timeoutMs: 2000 };

beforeAll(async () => {
  server = await startDiscoveryServer('/realms/demo', []);
});
afterAll(async () => {
  await server?.close();
});

const fetchCount = () => server.hits.get(WELL_KNOWN) ?? 0;

describe('discoveryUrl', () => {
  it('appends the well-known suffix to the issuer path (OpenID Connect Discovery §4)', () => {
    expect(discoveryUrl('https://id.example/realms/x')).toBe(
      'https://id.example/realms/x/.well-known/openid-configuration',
    );
    expect(discoveryUrl('https://id.example/')).toBe('https://id.example/.well-known/openid-configuration');
  });
});

describe('IssuerDiscovery', () => {
  it('fetches once, shares concurrent callers, and refetches only after cacheMaxAgeMs', async () => {
    const discovery = new IssuerDiscovery(server.issuer, options, fetch);
    const before = fetchCount();
    const [a, b] = await Promise.all([discovery.metadata(0), discovery.metadata(0)]);
    expect(a.issuer).toBe(server.issuer);
    expect(b).toBe(a);
    await discovery.metadata(options.cacheMaxAgeMs - 1);
    expect(fetchCount()).toBe(before + 1);
    await discovery.metadata(options.cacheMaxAgeMs);
    expect(fetchCount()).toBe(before + 2);
  });

  it('refuses a document naming another issuer, even one trailing slash apart', async () => {
    server.namedIssuer = `${server.issuer}/`;
    try {
      const discovery = new IssuerDiscovery(server.issuer, options, fetch);
      const failure = await discovery.metadata(0).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DiscoveryError);
      expect((failure as DiscoveryError).reason).toBe('issuer_mismatch');
    } finally {
      server.namedIssuer = server.issuer;
    }
  });

  it('fails fast after a failure, and keeps serving a document it holds while the host is down', async () => {
    const down = await startDiscoveryServer('/realms/demo', []);
    const discovery = new IssuerDiscovery(down.issuer, options, fetch);
    const held = await discovery.metadata(0);
    await down.close();
    // Stale but usable: the provider is unreachable, not changed.
    expect(await discovery.metadata(options.cacheMaxAgeMs)).toBe(held);

    const fresh = new IssuerDiscovery(down.issuer, options, fetch);
    const first = await fresh.metadata(0).catch((error: unknown) => error);
    expect((first as DiscoveryError).reason).toBe('unavailable');
    const started = fresh.fetchCount;
    await fresh.metadata(options.retryAfterFailureMs - 1).catch(() => undefined);
    expect(fresh.fetchCount).toBe(started);
    await fresh.metadata(options.retryAfterFailureMs).catch(() => undefined);
    expect(fresh.fetchCount).toBe(started + 1);
  });
});
