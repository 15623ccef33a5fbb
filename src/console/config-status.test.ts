import { describe, expect, it } from 'vitest';
import type { CompiledGateway } from '../assembly/compile-gateway.js';
import { ConfigStatusTracker } from './config-status.js';

function compiled(title: string): CompiledGateway {
  return { config: { title, paths: [] }, warnings: [] } as unknown as CompiledGateway;
}

describe('console config status', () => {
  it('keeps the load time of the served config and records the last reload with its problems', () => {
    let now = 1000;
    let current = compiled('first');
    const tracker = new ConfigStatusTracker({
      source: 'api-config.json',
      current: () => current,
      hash: (c) => `hash-of-${String(c.config.title)}`,
      now: () => now,
    });
    expect(tracker.status()).toMatchObject({ hash: 'hash-of-first', loadedAt: 1000, lastReload: undefined });

    now = 2000;
    const problem = { pointer: '/paths/0/method', severity: 'error', message: 'bad method' } as const;
    tracker.onReload({ outcome: 'refused', problems: [problem] });
    expect(tracker.status()).toMatchObject({
      loadedAt: 1000,
      lastReload: { at: 2000, outcome: 'refused', problems: [problem] },
    });

    now = 3000;
    tracker.onReload({ outcome: 'ok' }); // unchanged content: the same compiled config
    expect(tracker.status()).toMatchObject({ loadedAt: 1000, lastReload: { at: 3000, outcome: 'ok' } });

    now = 4000;
    current = compiled('second');
    tracker.onReload({ outcome: 'ok' });
    expect(tracker.status()).toMatchObject({ hash: 'hash-of-second', loadedAt: 4000 });
  });
});
