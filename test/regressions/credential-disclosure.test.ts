import { describe, expect, it } from 'vitest';
import { createNodePlatform } from '../../src/adapters/node/platform.js';
import { compileGateway } from '../../src/assembly/compile-gateway.js';
import { loadConfig } from '../../src/assembly/load-config.js';
import { ConfigInvalidError, formatProblem } from '../../src/config/problems.js';
import { redactSearch, silentLogger } from '../../src/observability/logger.js';

/**
 * API keys must not leak (docs/TRAFFIC.md "API keys and consumers"): not through the access
 * log's path when sent as a query parameter, not through config problems, not through what
 * hooks and services receive as `env`.
 */
const KEY = 'regression-key-0123456789abcdefghijklmnop';
const platform = createNodePlatform({
  env: {},
  logger: silentLogger,
  upstream: () => Promise.reject(new Error('x')),
});

describe('API keys never disclosed', () => {
  it("an api_key authorizer's query parameter is redacted from the logged path once compiled", () => {
    expect(redactSearch(`?my_key=${KEY}&a=1`)).toContain(KEY);
    compileGateway(
      loadConfig(
        {
          consumers: { c: { keys: [KEY] } },
          authorizers: { k: { type: 'api_key', query: 'my_key' } },
          paths: [{ method: 'GET', path: '/', auth: 'k', response: {} }],
        },
        { env: {} },
      ),
      platform,
    );
    expect(redactSearch(`?my_key=${KEY}&a=1`)).toBe('?my_key=REDACTED&a=1');
    expect(redactSearch(`?api_key=${KEY}`)).toBe('?api_key=REDACTED');
  });

  it('config problems about keys name pointers, never the key', () => {
    try {
      loadConfig(
        {
          consumers: { a: { keys: ['$env.K'] }, b: { keys: ['$env.K'] } },
          paths: [{ method: 'GET', path: '/', response: {} }],
        },
        { env: { K: KEY } },
      );
      expect.unreachable();
    } catch (error) {
      const text = (error as ConfigInvalidError).problems.map(formatProblem).join('\n');
      expect(text).toContain('/consumers/b/keys/0');
      expect(text).not.toContain(KEY);
    }
  });
});
