import { describe, expect, it } from 'vitest';
import { parseWorkerCount, restartDelayMs } from './cluster-primary.js';

describe('--workers', () => {
  it('auto is one worker per available core, at least one', () => {
    expect(parseWorkerCount('auto', 8)).toEqual({ count: 8 });
    expect(parseWorkerCount('auto', 0)).toEqual({ count: 1 });
    expect(parseWorkerCount('3', 8)).toEqual({ count: 3 });
  });

  it('refuses what is not a whole number from 1', () => {
    for (const value of ['0', '-1', '1.5', 'two', '', '100000']) {
      expect(parseWorkerCount(value, 2)).toEqual({
        error: `invalid --workers "${value}" (a whole number from 1, or auto)`,
      });
    }
  });
});

describe('restarting a worker that keeps crashing', () => {
  it('waits twice as long after each quick crash, up to 10 s, so a crash loop cannot spin', () => {
    expect([0, 1, 2, 3, 4].map(restartDelayMs)).toEqual([100, 200, 400, 800, 1600]);
    expect(restartDelayMs(7)).toBe(10_000);
    expect(restartDelayMs(50)).toBe(10_000);
  });
});
