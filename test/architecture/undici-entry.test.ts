import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Serving code never loads undici's package entry, which loads all of undici (fetch, WebSocket,
 * mocks, cache: about 9 MiB of resident memory, docs/ARCHITECTURE.md "Memory"): its values come
 * from `src/adapters/node/undici-agent.ts`; `import type` is free. The one exception is the OTLP
 * poster, loaded only when traces are exported.
 */
const SRC = join(import.meta.dirname, '..', '..', 'src');
const ALLOWED = new Set(['adapters/node/admin/observability.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe("undici's package entry", () => {
  it('is imported for values by no serving module', () => {
    const offending = sourceFiles(SRC)
      .filter((file) => !ALLOWED.has(relative(SRC, file)))
      .filter((file) => {
        const text = readFileSync(file, 'utf8');
        const valueImport = /^import\s+(?!type\b)[^;]*?from\s+'undici'/m.test(text);
        return valueImport || /(?:import|require)\(\s*'undici'\s*\)/.test(text);
      })
      .map((file) => relative(SRC, file));
    expect(offending).toEqual([]);
  });
});
