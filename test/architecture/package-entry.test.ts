import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every file package.json names exists (after `npm run build`, which `npm test` runs first):
 * Gatehouse is a command (`bin`), not a library, so it names no `main`/`types` entry that a
 * reader would look for in vain.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;

describe('package.json entries', () => {
  it('names no library entry, and every bin exists', () => {
    expect(pkg.main).toBeUndefined();
    expect(pkg.types).toBeUndefined();
    const bins = Object.values(pkg.bin as Record<string, string>);
    expect(bins.length).toBeGreaterThan(0);
    for (const bin of bins) expect(existsSync(join(ROOT, bin)), bin).toBe(true);
  });
});
