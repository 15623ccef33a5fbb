import type { FlattenedJWSInput, JWSHeaderParameters } from 'jose';
import { KeySetUnavailableError } from '../auth/errors.js';
import type { KeySetFetchListener, KeySource, KeySourceInfo } from '../auth/key-sets.js';
import { getRemoteKeySet, type RemoteKeySet, type RemoteKeySetOptions } from '../auth/remote-key-set.js';
import { DiscoveryError, getIssuerDiscovery } from './discovery.js';

/**
 * The key set of an issuer named alone (`oidc` authorizers, a `jwt` authorizer with only
 * `issuer`): its `jwks_uri` comes from discovery (discovery.ts), the keys from the shared remote
 * key set of that URL, so rotation and cooldown rules are the usual ones. A discovery failure is
 * "Unable to fetch signing keys" (ERR_JWKS_UNAVAILABLE) with the reason — an issuer mismatch
 * included — in the log line.
 */
export function createDiscoveredKeySource(
  issuer: string,
  options: RemoteKeySetOptions,
  fetchImpl: typeof fetch,
): KeySource {
  const discovery = getIssuerDiscovery(issuer, options, fetchImpl);
  let lastUri: string | undefined;
  const observers = new Map<string, KeySetFetchListener>();
  /** The key set discovery named last, already told who observes its fetches. */
  let observed: RemoteKeySet | undefined;
  const keySet = async (now: number) => {
    try {
      const metadata = await discovery.metadata(now);
      lastUri = String(metadata.jwks_uri);
      const set = getRemoteKeySet(lastUri, options, fetchImpl);
      if (set !== observed) {
        // Before its first fetch: that one is counted too.
        for (const [name, listener] of observers) set.observeFetches(name, listener);
        observed = set;
      }
      return set;
    } catch (error) {
      if (error instanceof DiscoveryError) {
        throw new KeySetUnavailableError(error.url, `discovery: ${error.message}`);
      }
      throw error;
    }
  };
  return {
    info(): KeySourceInfo {
      if (lastUri === undefined) return { kind: 'jwks_uri', url: discovery.url };
      return getRemoteKeySet(lastUri, options, fetchImpl).info();
    },
    async resolve(header: JWSHeaderParameters, token: FlattenedJWSInput, now: number) {
      return (await keySet(now)).resolve(header, token, now);
    },
    async prefetch(now) {
      await (await keySet(now)).prefetch(now);
    },
    // Counts the fetches of the key set discovery names (not of the discovery document: its
    // failures show in readiness and in the requests' ERR_JWKS_UNAVAILABLE).
    observeFetches(name, listener) {
      observers.set(name, listener);
      observed?.observeFetches(name, listener);
    },
    // Ready when the discovery document and the key set it names were both fetched and neither's
    // last fetch failed: the same rule as a configured `jwks_uri`, one step earlier.
    async probe(now) {
      const set = discovery.healthy ? lastUri : undefined;
      if (set !== undefined) return getRemoteKeySet(set, options, fetchImpl).probe(now);
      const resolved = await keySet(now).catch(() => undefined);
      if (!discovery.healthy || resolved === undefined) {
        return {
          ready: false,
          detail: `discovery ${discovery.url}: ${discovery.lastError ?? 'not fetched yet'}`,
        };
      }
      return resolved.probe(now);
    },
  };
}
