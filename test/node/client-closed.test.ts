import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, startHostileSetup, type HostileSetup } from '../regressions/harness.js';
import { ERROR_CATALOGUE } from '../../src/errors/codes.js';

/**
 * A client that leaves before its answer is not a gateway fault: the access log records the
 * catalogue row CLIENT_CLOSED_REQUEST (499), not a 500 (docs/ERRORS.md).
 */
let gw: HostileSetup;
const { logger, lines } = memoryLogger();

beforeAll(async () => {
  gw = await startHostileSetup(
    (upstreamUrl) => ({
      servers: [{ alias: 'up', url: upstreamUrl }],
      paths: [{ method: 'GET', path: '/slow/{ms}', integration: { type: 'http_proxy', server: 'up' } }],
    }),
    { logger },
  );
});
afterAll(async () => {
  await gw?.close();
});

describe('the client closed the request', () => {
  it('is logged as the catalogue row CLIENT_CLOSED_REQUEST with its status', async () => {
    expect(ERROR_CATALOGUE.CLIENT_CLOSED_REQUEST.status).toBe(499);
    await expect(fetch(`${gw.url}/slow/3000`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    const deadline = Date.now() + 10_000;
    let line: Record<string, unknown> | undefined;
    while (!line && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      line = lines.find((l) => l.msg === 'request' && l.path === '/slow/3000');
    }
    expect(line).toMatchObject({ status: 499, code: 'CLIENT_CLOSED_REQUEST' });
  });
});
