import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostileSetup, type HostileSetup } from '../regressions/harness.js';

/** A static route whose status may not carry a body (204, 205, 304) answers without one. */
let gw: HostileSetup;

beforeAll(async () => {
  gw = await startHostileSetup(() => ({
    paths: [204, 205, 304].map((status) => ({
      method: 'GET',
      path: `/s${status}`,
      status,
      response: { ignored: true },
    })),
  }));
});
afterAll(async () => {
  await gw?.close();
});

describe('null-body statuses on static routes', () => {
  it.each([204, 205, 304])('%i is sent without a body', async (status) => {
    const response = await gw.send('GET', `/s${status}`);
    expect(response.status).toBe(status);
    // Node frames a 205 as chunked: its terminator is the only thing after the head.
    expect(response.body.replace(/^0\r\n\r\n$/, '')).toBe('');
  });
});
